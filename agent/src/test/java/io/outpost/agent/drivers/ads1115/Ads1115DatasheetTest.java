package io.outpost.agent.drivers.ads1115;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ADS1115 driver's arithmetic against the worked examples and tables of its datasheet. */
class Ads1115DatasheetTest {

  @ParameterizedTest(name = "code {0} at FS {1} V = {2} V")
  @CsvSource({
    "32767, 2.048, 2.0479375", // +FS − 1 LSB (datasheet table 8.3.3: 7FFFh)
    "1, 2.048, 0.0000625", // +1 LSB = FS/2^15 = 62.5 µV at ±2.048 V
    "0, 2.048, 0.0",
    "-1, 2.048, -0.0000625", // FFFFh
    "-32768, 2.048, -2.048", // 8000h = −FS
    "1, 4.096, 0.000125", // 125 µV LSB at ±4.096 V
    "1, 0.256, 0.0000078125" // 7.8125 µV LSB at ±0.256 V
  })
  void ads1115TransferFunction(int code, double fs, double volts) {
    assertThat(Ads1115Driver.volts(code, fs)).isCloseTo(volts, within(1e-12));
  }
}
