package io.outpost.relay.internal;

import java.nio.charset.StandardCharsets;

/**
 * Encodes a server-to-client RFC 6455 text frame: FIN + opcode 1, no mask (servers never mask),
 * 7/16/64-bit payload length, UTF-8 payload. Done once per outgoing message so that a fan-out to
 * many sockets shares one read-only array instead of encoding and framing the same text once per
 * recipient.
 */
public final class TextFrame {
  private static final int FIN_TEXT = 0x81;

  private TextFrame() {}

  /**
   * The complete frame for {@code text}; the returned array is never modified afterwards and may be
   * shared.
   */
  public static byte[] encode(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int n = payload.length;
    int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    byte[] frame = new byte[header + n];
    frame[0] = (byte) FIN_TEXT;
    if (n < 126) {
      frame[1] = (byte) n;
    } else if (n <= 0xFFFF) {
      frame[1] = 126;
      frame[2] = (byte) (n >>> 8);
      frame[3] = (byte) n;
    } else {
      frame[1] = 127;
      long len = n;
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) (len >>> (56 - 8 * i));
      }
    }
    System.arraycopy(payload, 0, frame, header, n);
    return frame;
  }

  /**
   * A complete server close frame with {@code code} and {@code reason} (cut to fit the 125-byte
   * control frame limit).
   */
  public static byte[] close(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(text.length, 123);
    while (n > 0 && n < text.length && (text[n] & 0xC0) == 0x80) {
      n--; // do not cut a UTF-8 sequence
    }
    byte[] frame = new byte[4 + n];
    frame[0] = (byte) 0x88;
    frame[1] = (byte) (2 + n);
    frame[2] = (byte) (code >>> 8);
    frame[3] = (byte) code;
    System.arraycopy(text, 0, frame, 4, n);
    return frame;
  }
}
