package io.outpost.relay.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Channel-name and peerId rules of protocol.md sections 8 and 11. Stateless. */
public final class Channels {
  /** Longest channel name, in UTF-8 bytes. */
  public static final int MAX_CHANNEL_BYTES = 256;

  /** Longest peerId, in characters (printable ASCII, so also bytes). */
  public static final int MAX_PEER_ID_LENGTH = 128;

  private static final String[] RESERVED_PREFIXES = {"_metered/", "_internal/", "_system/"};

  private Channels() {}

  /** Why {@code channel} is not a valid name, or null when it is. */
  public static String invalidReason(String channel) {
    if (channel == null || channel.isEmpty()) {
      return "channel must be a non-empty string";
    }
    if (hasControlChars(channel)) {
      return "channel contains control characters";
    }
    int bytes = channel.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_CHANNEL_BYTES) {
      return "channel is " + bytes + " bytes of UTF-8, the limit is " + MAX_CHANNEL_BYTES;
    }
    return null;
  }

  /**
   * Why {@code glob} is not a valid channel pattern (name rules plus well-formed escapes), or null
   * when it is.
   */
  public static String invalidGlobReason(String glob) {
    String reason = invalidReason(glob);
    if (reason != null) {
      return reason;
    }
    try {
      ChannelPattern.compile(glob);
      return null;
    } catch (IllegalArgumentException bad) {
      return bad.getMessage();
    }
  }

  /** Whether {@code channel} starts with a reserved prefix, compared case-insensitively. */
  public static boolean isReserved(String channel) {
    String lower = channel.toLowerCase(Locale.ROOT);
    for (String prefix : RESERVED_PREFIXES) {
      if (lower.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** U+0000–U+001F, U+007F and U+0080–U+009F, as the SDK and the server check. */
  public static boolean hasControlChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x1f || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why {@code peerId} is not a valid peerId (non-empty printable ASCII, at most 128), or null when
   * it is.
   */
  public static String invalidPeerIdReason(String peerId) {
    if (peerId == null || peerId.isEmpty()) {
      return "peerId must be a non-empty string";
    }
    if (peerId.length() > MAX_PEER_ID_LENGTH) {
      return "peerId is " + peerId.length() + " characters, the limit is " + MAX_PEER_ID_LENGTH;
    }
    for (int i = 0; i < peerId.length(); i++) {
      char c = peerId.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return "peerId must be printable ASCII (U+0020–U+007E), found U+"
            + String.format("%04X", (int) c)
            + " at index "
            + i;
      }
    }
    return null;
  }
}
