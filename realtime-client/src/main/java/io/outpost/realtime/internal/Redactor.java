package io.outpost.realtime.internal;

import java.util.regex.Pattern;

/** Removes credentials from text that may reach logs or exception messages. */
public final class Redactor {

  private static final Pattern QUERY_SECRET = Pattern.compile("([?&](?:token|key)=)[^&\\s\"']*");

  private Redactor() {}

  /**
   * Replaces {@code token=…}/{@code key=…} query values and the given secret by {@code <redacted>}.
   */
  public static String scrub(String text, String secret) {
    if (text == null) {
      return "";
    }
    String out = QUERY_SECRET.matcher(text).replaceAll("$1<redacted>");
    // Short "secrets" (test tokens) would turn every message into confetti; real tokens and keys
    // are long.
    if (secret != null && secret.length() >= 8) {
      out = out.replace(secret, "<redacted>");
    }
    return out;
  }

  /** "SimpleClassName: message" of a throwable (message may be absent); not scrubbed. */
  public static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** A short, quoted, single-line preview of untrusted text for logs. */
  public static String preview(String text, int max) {
    String oneLine = text.replaceAll("[\\p{Cntrl}]", "?");
    return "\""
        + (oneLine.length() > max ? oneLine.substring(0, max) + "…" : oneLine)
        + "\" ("
        + text.length()
        + " chars)";
  }
}
