package io.outpost.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one Sensirion CRC, against the datasheet's example. */
class SensirionCrcTest {

  @Test
  void sht3xCrcOfBeefIs92() {
    // SHT3x-DIS datasheet, table 19 "I2C CRC properties": CRC(0xBEEF) = 0x92.
    assertThat(SensirionCrc.crc8(0xBE, 0xEF)).isEqualTo(0x92);
  }
}
