package io.outpost.relay.internal;

/**
 * Makes a value that came from the network safe to put in a log line: control characters (newlines,
 * carriage returns, terminal escape sequences, C1 controls, DEL), Unicode line and paragraph
 * separators and bidirectional overrides are written as {@code \\uXXXX} (or {@code \\n}, {@code
 * \\r}, {@code \\t}), backslashes are doubled so an escape cannot be faked, and the result is cut
 * to {@value #MAX_CHARS} characters with the original length noted. A logged value therefore always
 * stays on its own line and cannot recolour or rewrite the terminal.
 */
public final class LogSafe {
  /** Longest value kept, in characters (before escaping). */
  public static final int MAX_CHARS = 160;

  private LogSafe() {}

  /** {@code value} escaped and bounded; {@code "null"} for null. */
  public static String of(Object value) {
    if (value == null) {
      return "null";
    }
    String s = value.toString();
    int n = Math.min(s.length(), MAX_CHARS);
    StringBuilder out = null;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String replacement = replacement(c);
      if (replacement != null && out == null) {
        out = new StringBuilder(n + 16).append(s, 0, i);
      }
      if (out != null) {
        if (replacement != null) {
          out.append(replacement);
        } else {
          out.append(c);
        }
      }
    }
    String kept = out != null ? out.toString() : n == s.length() ? s : s.substring(0, n);
    return s.length() > MAX_CHARS ? kept + "…(" + s.length() + " chars)" : kept;
  }

  private static String replacement(char c) {
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
    boolean unsafe =
        c < 0x20
            || (c >= 0x7f && c <= 0x9f)
            || c == '\u2028'
            || c == '\u2029'
            || (c >= '\u202a' && c <= '\u202e')
            || (c >= '\u2066' && c <= '\u2069');
    return unsafe ? String.format("\\u%04x", (int) c) : null;
  }
}
