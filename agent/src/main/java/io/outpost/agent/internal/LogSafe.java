package io.outpost.agent.internal;

/**
 * Makes a value that came from the network safe to put in a log line: control characters (CR, LF,
 * ESC, the C1 range), Unicode line and paragraph separators and bidirectional overrides are escaped
 * as {@code \n}, {@code \r}, {@code \t} or {@code \u001b}, a backslash is doubled so an escape
 * cannot be faked, and the result is cut to {@link #MAX} characters with {@code …(N more)}. One log
 * line stays one line, and no terminal escape sequence reaches the reader.
 *
 * <pre>{@code
 * Logger.warn("refused command {} from {}", LogSafe.of(id), LogSafe.of(from));
 * LogSafe.of("ping\n2026-01-01 ERROR FAKE")  // "ping\\n2026-01-01 ERROR FAKE"
 * }</pre>
 */
public final class LogSafe {
  /** Longest value shown, in characters (before escaping). */
  public static final int MAX = 200;

  private LogSafe() {}

  /** The value escaped and bounded; {@code "null"} for null. */
  public static String of(Object value) {
    return of(value, MAX);
  }

  /** The value escaped and cut to {@code max} characters (before escaping). */
  public static String of(Object value, int max) {
    String s = String.valueOf(value);
    int n = Math.min(s.length(), max);
    StringBuilder b = null;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String esc = escape(c);
      if (esc != null && b == null) {
        b = new StringBuilder(n + 16).append(s, 0, i);
      }
      if (b != null) {
        if (esc != null) {
          b.append(esc);
        } else {
          b.append(c);
        }
      }
    }
    String out = b != null ? b.toString() : n == s.length() ? s : s.substring(0, n);
    if (s.length() > n) {
      out = out + "…(" + (s.length() - n) + " more)";
    }
    return out;
  }

  private static String escape(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\\':
        return "\\\\";
      default:
        break;
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || bidi(c)) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }

  /** Bidirectional embeddings, overrides and isolates: they reorder what a reader sees. */
  private static boolean bidi(char c) {
    return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }
}
