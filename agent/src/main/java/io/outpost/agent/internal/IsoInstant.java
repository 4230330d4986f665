package io.outpost.agent.internal;

import io.outpost.log.CivilDate;
import java.time.Instant;

/**
 * {@link Instant#toString()} without the formatter: the status file and the status message carry
 * about ten instants each time they are written, and {@code DateTimeFormatter}'s printer chain is a
 * lot of code to interpret on a JVM that compiles little. Same text for years 1970 to 9999 (UTC,
 * seconds always, the fraction in groups of three digits as needed); any other instant is left to
 * {@code toString}.
 *
 * <pre>{@code
 * IsoInstant.format(Instant.parse("2026-12-01T20:44:14.120Z")); // "2026-12-01T20:44:14.120Z"
 * }</pre>
 */
public final class IsoInstant {
  /** 10000-01-01T00:00:00Z: the first instant {@code toString} writes with a sign and 5 digits. */
  private static final long YEAR_10000 = 253_402_300_800L;

  private IsoInstant() {}

  public static String format(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < 0 || seconds >= YEAR_10000) {
      return t.toString();
    }
    long days = seconds / 86_400;
    int secondOfDay = (int) (seconds % 86_400);
    StringBuilder sb = new StringBuilder(30);
    CivilDate.append(sb, days).append('T');
    two(sb, secondOfDay / 3600).append(':');
    two(sb, secondOfDay / 60 % 60).append(':');
    two(sb, secondOfDay % 60);
    int nano = t.getNano();
    if (nano > 0) {
      sb.append('.');
      if (nano % 1_000_000 == 0) {
        digits(sb, nano / 1_000_000, 3);
      } else if (nano % 1000 == 0) {
        digits(sb, nano / 1000, 6);
      } else {
        digits(sb, nano, 9);
      }
    }
    return sb.append('Z').toString();
  }

  private static StringBuilder two(StringBuilder sb, int v) {
    return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }

  private static void digits(StringBuilder sb, int v, int width) {
    for (int div = pow10(width - 1); div > 0; div /= 10) {
      sb.append((char) ('0' + v / div % 10));
    }
  }

  private static int pow10(int n) {
    int p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }
}
