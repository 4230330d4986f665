package io.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Server text frames at the RFC 6455 length-encoding boundaries (the shortest form is required).
 */
class TextFrameTest {

  @Test
  void payloadsUpTo125BytesUseTheSevenBitLength() {
    byte[] f = TextFrame.encode("x".repeat(125));
    assertThat(f).hasSize(2 + 125);
    assertThat(f[0] & 0xff).as("FIN + text opcode").isEqualTo(0x81);
    assertThat(f[1] & 0xff).as("unmasked, length 125").isEqualTo(125);
    assertThat(TextFrame.encode("")).containsExactly(0x81 - 256, 0);
  }

  @Test
  void payloadsFrom126To65535BytesUseTheSixteenBitLength() {
    byte[] f = TextFrame.encode("x".repeat(126));
    assertThat(f).hasSize(4 + 126);
    assertThat(Arrays.copyOf(f, 4)).containsExactly(0x81 - 256, 126, 0, 126);
    byte[] g = TextFrame.encode("x".repeat(65535));
    assertThat(g).hasSize(4 + 65535);
    assertThat(Arrays.copyOf(g, 4)).containsExactly(0x81 - 256, 126, -1, -1);
  }

  @Test
  void largerPayloadsUseTheSixtyFourBitLength() {
    byte[] f = TextFrame.encode("x".repeat(65536));
    assertThat(f).hasSize(10 + 65536);
    assertThat(Arrays.copyOf(f, 10)).containsExactly(0x81 - 256, 127, 0, 0, 0, 0, 0, 1, 0, 0);
  }

  @Test
  void theLengthCountsUtf8BytesNotCharacters() {
    String text = "é€😀"; // 2 + 3 + 4 bytes
    byte[] f = TextFrame.encode(text);
    assertThat(f[1]).isEqualTo((byte) 9);
    assertThat(new String(f, 2, 9, StandardCharsets.UTF_8)).isEqualTo(text);
  }
}
