package io.outpost.agent.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each driver's arithmetic against the worked examples and tables of its datasheet. */
class DatasheetExamplesTest {

  @Test
  void sht3xCrcOfBeefIs92() {
    // SHT3x-DIS datasheet, table 19 "I2C CRC properties": CRC(0xBEEF) = 0x92.
    assertThat(SensirionCrc.crc8(0xBE, 0xEF)).isEqualTo(0x92);
  }

  @Test
  void bh1750ExampleCount0x8390Is28067Lux() {
    // BH1750FVI datasheet, "measurement sequence example": 1000_0011_1001_0000b = 33680 -> 28067
    // lx.
    assertThat(Bh1750Driver.lux(0x8390, 69, false)).isCloseTo(28067, within(0.5));
    // H-resolution mode 2 halves the lux per count.
    assertThat(Bh1750Driver.lux(0x8390, 69, true)).isCloseTo(14033.3, within(0.1));
  }

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

  @Test
  void mcp3008FramesAndDecodesAsInFigure6_1() throws IOException {
    // Start bit, then SGL/DIFF=1 and D2..D0 = 5 for CH5 single-ended.
    assertThat(Mcp3008Driver.request(0b1101)).containsExactly(0x01, 0xD0, 0x00);
    // Result bits B9..B8 in the low bits of byte 2, B7..B0 in byte 3; the null bit (bit 2) is 0.
    assertThat(Mcp3008Driver.code(new byte[] {0, 0x03, (byte) 0xFF})).isEqualTo(1023);
    assertThat(Mcp3008Driver.code(new byte[] {0, 0x02, 0x00})).isEqualTo(512);
    assertThatThrownBy(() -> Mcp3008Driver.code(new byte[] {0, 0x07, (byte) 0xFF}))
        .hasMessageContaining("null bit");
  }

  @ParameterizedTest(name = "{0}{1}h = {2} °C")
  @CsvSource({
    // DS18B20 datasheet table 1, "Temperature/Data Relationship" (12-bit)
    "07, D0, 125.0",
    "05, 50, 85.0",
    "01, 91, 25.0625",
    "00, A2, 10.125",
    "00, 08, 0.5",
    "00, 00, 0.0",
    "FF, F8, -0.5",
    "FF, 5E, -10.125",
    "FE, 6F, -25.0625",
    "FC, 90, -55.0"
  })
  void ds18b20TemperatureTable(String msb, String lsb, double celsius) {
    assertThat(Ds18b20Driver.celsius(Integer.parseInt(lsb, 16), Integer.parseInt(msb, 16), 0x7F))
        .isEqualTo(celsius);
  }

  @Test
  void ds18b20IgnoresUndefinedBitsAtLowerResolutions() {
    // 0x0197 = 25.4375 at 12 bit; at 9 bit (config 0x1F) bits 2..0 are undefined -> 25.0
    assertThat(Ds18b20Driver.celsius(0x97, 0x01, 0x1F)).isEqualTo(25.0);
    assertThat(Ds18b20Driver.celsius(0x97, 0x01, 0x3F)).isEqualTo(25.25); // 10 bit
    assertThat(Ds18b20Driver.celsius(0x97, 0x01, 0x5F)).isEqualTo(25.375); // 11 bit
  }
}
