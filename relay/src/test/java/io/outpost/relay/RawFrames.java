package io.outpost.relay;

import java.util.concurrent.ThreadLocalRandom;

/** Client-side WebSocket frames built byte by byte, for tests that need exact framing. */
final class RawFrames {
  private RawFrames() {}

  /** A masked frame with first byte {@code b0} (FIN, RSV, opcode) around {@code payload}. */
  static byte[] frame(int b0, byte[] payload) {
    int n = payload.length;
    int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    byte[] f = new byte[header + 4 + n];
    f[0] = (byte) b0;
    if (n < 126) {
      f[1] = (byte) (0x80 | n);
    } else if (n <= 0xFFFF) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (n >> 8);
      f[3] = (byte) n;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) n >> (56 - 8 * i));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    System.arraycopy(mask, 0, f, header, 4);
    for (int i = 0; i < n; i++) {
      f[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return f;
  }
}
