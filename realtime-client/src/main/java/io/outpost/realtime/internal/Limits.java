package io.outpost.realtime.internal;

import io.outpost.realtime.InvalidArgumentException;
import java.util.regex.Pattern;

/** The client-side checks the JS SDK runs before sending, mirroring the server's rules. */
public final class Limits {

  /** Server's channel cap (the SDK counts UTF-16 characters; so do we). */
  public static final int MAX_CHANNEL_LENGTH = 256;

  /** Server's peerId cap. */
  public static final int MAX_PEER_ID_LENGTH = 128;

  /** Server's requestId cap. */
  public static final int MAX_REQUEST_ID_LENGTH = 128;

  /** Frames above this are dropped and the connection closed with 1009, as the SDK does. */
  public static final int MAX_INBOUND_FRAME_BYTES = 1024 * 1024;

  /** Used before the first welcome told us the real cap (the server's documented default). */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 65536;

  private static final Pattern RESERVED =
      Pattern.compile("^_(metered|internal|system)/", Pattern.CASE_INSENSITIVE);

  private Limits() {}

  /** Channel: non-empty, at most 256 characters, no control characters, no reserved prefix. */
  public static void checkChannel(String channel) {
    if (channel == null || channel.isEmpty()) {
      throw new InvalidArgumentException("channel must be a non-empty string");
    }
    if (channel.length() > MAX_CHANNEL_LENGTH) {
      throw new InvalidArgumentException(
          "channel exceeds "
              + MAX_CHANNEL_LENGTH
              + "-character cap (got "
              + channel.length()
              + ")");
    }
    int bad = controlCharIndex(channel);
    if (bad >= 0) {
      throw new InvalidArgumentException(
          "channel contains control character U+"
              + String.format("%04X", (int) channel.charAt(bad))
              + " at index "
              + bad);
    }
    if (channel.charAt(0) == '_' && RESERVED.matcher(channel).find()) {
      throw new InvalidArgumentException(
          "channel \""
              + channel
              + "\" uses a reserved prefix "
              + "(_metered/, _internal/, _system/ are reserved by the server)");
    }
  }

  /**
   * peerId: non-empty, at most 128 characters, printable ASCII (no control characters, no spaces).
   */
  public static void checkPeerId(String peerId) {
    if (peerId == null || peerId.isEmpty()) {
      throw new InvalidArgumentException("peerId must be a non-empty string");
    }
    if (peerId.length() > MAX_PEER_ID_LENGTH) {
      throw new InvalidArgumentException(
          "peerId exceeds " + MAX_PEER_ID_LENGTH + "-character cap (got " + peerId.length() + ")");
    }
    for (int i = 0; i < peerId.length(); i++) {
      char c = peerId.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new InvalidArgumentException(
            "peerId must be printable ASCII; character U+"
                + String.format("%04X", (int) c)
                + " at index "
                + i
                + " is not");
      }
    }
  }

  /** requestId: non-empty, at most 128 characters. */
  public static void checkRequestId(String requestId) {
    if (requestId == null || requestId.isEmpty()) {
      throw new InvalidArgumentException("requestId must be a non-empty string");
    }
    if (requestId.length() > MAX_REQUEST_ID_LENGTH) {
      throw new InvalidArgumentException(
          "requestId exceeds "
              + MAX_REQUEST_ID_LENGTH
              + "-character cap (got "
              + requestId.length()
              + ")");
    }
  }

  /**
   * Index of the first U+0000–U+001F, U+007F or U+0080–U+009F, or -1 (the server's
   * hasControlChars).
   */
  static int controlCharIndex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x1f || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
        return i;
      }
    }
    return -1;
  }
}
