package io.outpost.agent.drivers.mcp3008;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The MCP3008 driver's arithmetic against the worked examples and tables of its datasheet. */
class Mcp3008DatasheetTest {

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
}
