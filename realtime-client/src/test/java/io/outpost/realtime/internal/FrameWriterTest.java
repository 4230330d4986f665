package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

  /** A DRBG that counts how often it is asked for bytes. */
  private static final class CountingRandom extends SecureRandom {
    int draws;

    @Override
    public void nextBytes(byte[] bytes) {
      draws++;
      super.nextBytes(bytes);
    }
  }

  @Test
  void everyFrameHasItsOwnKeyAndUnmasksToItsPayloadWithOneDrawPerSixtyFourFrames() {
    CountingRandom random = new CountingRandom();
    FrameWriter writer = new FrameWriter(new ByteArrayOutputStream(), random, "test", () -> {});
    Set<Integer> keys = new HashSet<>();
    int frames = 3 * FrameWriter.KEYS_PER_DRAW + 1;
    for (int f = 0; f < frames; f++) {
      byte[] payload = ("{\"type\":\"publish\",\"n\":" + f + "}").getBytes(StandardCharsets.UTF_8);
      byte[] frame = writer.frame(FrameReader.TEXT, payload);

      assertThat(frame[0] & 0xFF).isEqualTo(0x80 | FrameReader.TEXT);
      assertThat(frame[1] & 0xFF).isEqualTo(0x80 | payload.length);
      keys.add(
          (frame[2] & 0xFF) << 24
              | (frame[3] & 0xFF) << 16
              | (frame[4] & 0xFF) << 8
              | frame[5] & 0xFF);
      byte[] unmasked = new byte[payload.length];
      for (int i = 0; i < payload.length; i++) {
        unmasked[i] = (byte) (frame[6 + i] ^ frame[2 + (i & 3)]);
      }
      assertThat(unmasked).isEqualTo(payload);
    }
    // 32 random bits per key: a repeat among 193 would be a one-in-200,000 event.
    assertThat(keys).hasSize(frames);
    assertThat(random.draws).isEqualTo(4);
  }

  @Test
  void longFramesCarryTheExtendedLengthBeforeTheKey() {
    FrameWriter writer =
        new FrameWriter(new ByteArrayOutputStream(), new SecureRandom(), "test", () -> {});
    byte[] payload = new byte[300];
    payload[299] = 'x';
    byte[] frame = writer.frame(FrameReader.TEXT, payload);

    assertThat(frame[1] & 0xFF).isEqualTo(0x80 | 126);
    assertThat((frame[2] & 0xFF) << 8 | frame[3] & 0xFF).isEqualTo(300);
    assertThat(frame).hasSize(4 + 4 + 300);
    assertThat((byte) (frame[8 + 299] ^ frame[4 + (299 & 3)])).isEqualTo((byte) 'x');
  }
}
