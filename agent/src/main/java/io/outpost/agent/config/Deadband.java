package io.outpost.agent.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses a deadband: an absolute number ({@code 0.5}) or a percentage string ({@code "2%"}). */
public final class Deadband {
  private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");

  private Deadband() {}

  /**
   * @return {absolute, percent}; percent is NaN for an absolute deadband; {0, NaN} for null
   * @throws IllegalArgumentException naming the value and the expected forms
   */
  public static double[] parse(Object v) {
    if (v == null) {
      return new double[] {0, Double.NaN};
    }
    if (v instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0) {
      return new double[] {n.doubleValue(), Double.NaN};
    }
    if (v instanceof String s) {
      Matcher m = PERCENT.matcher(s.trim());
      if (m.matches()) {
        return new double[] {0, Double.parseDouble(m.group(1))};
      }
      try {
        double d = Double.parseDouble(s.trim());
        if (d >= 0 && Double.isFinite(d)) {
          return new double[] {d, Double.NaN};
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
    }
    throw new IllegalArgumentException(
        (v instanceof String s ? "\"" + s + "\"" : String.valueOf(v))
            + " is not a deadband (expected a number >= 0 such as 0.5, or a percentage such as \"2%\")");
  }
}
