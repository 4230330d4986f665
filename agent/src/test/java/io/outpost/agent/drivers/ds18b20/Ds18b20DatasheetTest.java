package io.outpost.agent.drivers.ds18b20;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DS18B20 driver's arithmetic against the worked examples and tables of its datasheet. */
class Ds18b20DatasheetTest {

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
