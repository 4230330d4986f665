package io.outpost.agent.commands;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Matches names against patterns where {@code *} stands for any run of characters (for allow
 * lists).
 */
final class Glob {
  private Glob() {}

  static boolean anyMatches(List<String> patterns, String value) {
    for (String p : patterns) {
      if (matches(p, value)) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(String pattern, String value) {
    if (value == null) {
      return false;
    }
    StringBuilder re = new StringBuilder();
    String[] parts = pattern.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        re.append(".*");
      }
      re.append(Pattern.quote(parts[i]));
    }
    return Pattern.matches(re.toString(), value);
  }
}
