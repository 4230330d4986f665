package io.outpost.log;

/**
 * A day since 1970-01-01 as {@code yyyy-MM-dd}, proleptic Gregorian as java.time counts, without
 * java.time's formatter (a lot of code to interpret on a JVM that compiles little). The log's
 * timestamps and the agent's ISO instants both write dates this way.
 */
public final class CivilDate {
  private CivilDate() {}

  /** Appends {@code epochDay} as {@code yyyy-MM-dd} (the year at least four digits). */
  public static StringBuilder append(StringBuilder b, long epochDay) {
    // Days to civil date (Howard Hinnant's algorithm): eras of 400 years from 0000-03-01.
    long z = epochDay + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    pad(b, year, 4).append('-');
    pad(b, month, 2).append('-');
    return pad(b, day, 2);
  }

  static StringBuilder pad(StringBuilder b, long value, int width) {
    for (long limit = 10, i = 1; i < width; i++, limit *= 10) {
      if (value < limit) {
        b.append('0');
      }
    }
    return b.append(value);
  }
}
