package io.outpost.agent.drivers.bh1750;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The BH1750 driver's arithmetic against the worked examples and tables of its datasheet. */
class Bh1750DatasheetTest {

  @Test
  void bh1750ExampleCount0x8390Is28067Lux() {
    // BH1750FVI datasheet, "measurement sequence example": 1000_0011_1001_0000b = 33680 -> 28067
    // lx.
    assertThat(Bh1750Driver.lux(0x8390, 69, false)).isCloseTo(28067, within(0.5));
    // H-resolution mode 2 halves the lux per count.
    assertThat(Bh1750Driver.lux(0x8390, 69, true)).isCloseTo(14033.3, within(0.1));
  }
}
