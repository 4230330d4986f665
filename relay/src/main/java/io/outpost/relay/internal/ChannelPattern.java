package io.outpost.relay.internal;

import java.util.regex.Pattern;

/**
 * A channel glob as protocol.md section 8 defines it: {@code *} matches any run of characters
 * except {@code /}, {@code **} any run including {@code /}, {@code \*} and {@code \\} stand for a
 * literal {@code *} and {@code \}. Matching is anchored (the whole channel name) and
 * case-sensitive. Immutable.
 */
public final class ChannelPattern {
  private final String source;
  private final Pattern regex;
  private final String literalValue; // non-null exactly when the glob has no wildcard

  private ChannelPattern(String source, Pattern regex, String literalValue) {
    this.source = source;
    this.regex = regex;
    this.literalValue = literalValue;
  }

  /**
   * Compiles {@code glob}.
   *
   * @throws IllegalArgumentException when a backslash is not followed by {@code *} or {@code \}
   */
  public static ChannelPattern compile(String glob) {
    StringBuilder re = new StringBuilder(glob.length() + 8);
    StringBuilder lit = new StringBuilder(glob.length());
    boolean wildcard = false;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '\\') {
        if (i + 1 >= glob.length() || (glob.charAt(i + 1) != '*' && glob.charAt(i + 1) != '\\')) {
          throw new IllegalArgumentException(
              "pattern \""
                  + glob
                  + "\": a backslash must be followed by * or \\"
                  + " (at index "
                  + i
                  + ")");
        }
        char escaped = glob.charAt(++i);
        re.append(Pattern.quote(String.valueOf(escaped)));
        lit.append(escaped);
      } else if (c == '*') {
        wildcard = true;
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append("[^/]*");
        }
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
        lit.append(c);
      }
    }
    if (!wildcard) {
      return new ChannelPattern(glob, null, lit.toString());
    }
    return new ChannelPattern(glob, Pattern.compile(re.toString(), Pattern.DOTALL), null);
  }

  /** Whether the glob contains an unescaped wildcard. */
  public boolean hasWildcard() {
    return literalValue == null;
  }

  /** Whether the concrete {@code channel} is matched by this glob. */
  public boolean matches(String channel) {
    return literalValue != null ? literalValue.equals(channel) : regex.matcher(channel).matches();
  }

  @Override
  public String toString() {
    return source;
  }
}
