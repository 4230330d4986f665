package io.outpost.agent.drivers;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * One option a driver takes, declared once as data: its name, kind, default, allowed values or
 * range and a one-line doc. The driver's option check ({@link DriverOptions#check}), the profile
 * schema's per-type fragment and the options table in agent/DRIVERS.md all come from this record.
 *
 * @param kind {@code integer}, {@code number}, {@code string}, {@code boolean}, {@code duration},
 *     {@code address} (an I2C address, JSON number or hex string) or {@code object}
 * @param defaultValue the value when absent; {@code null} when required or when {@link
 *     #defaultText} says what the driver does instead
 * @param defaultText how the docs show the default ({@code "required"} for required options)
 * @param allowed the only values allowed (empty: any in range)
 * @param min inclusive minimum, or {@code null}
 * @param max inclusive maximum (a duration's maximum for {@code duration}), or {@code null}
 * @param pattern a regular expression a string must contain a match of, or {@code null}
 * @param doc one line for the docs table and the schema's description
 * @param problem the message for a value outside {@code allowed}/range/pattern, given the value
 */
public record DriverOption(
    String name,
    String kind,
    Object defaultValue,
    String defaultText,
    boolean required,
    List<?> allowed,
    Number min,
    Number max,
    String pattern,
    String doc,
    Problem problem) {

  /** Builds the message for a rejected value (the message after {@code "<key>: "}). */
  public interface Problem {
    String describe(Object value);
  }

  /** The I2C bus number, default 1 (pins 3 and 5). */
  public static DriverOption i2cBus() {
    return integer("bus", 1, 0, 255, "I2C bus, `/dev/i2c-<bus>` (bus 1 is pins 3 and 5)");
  }

  /** A 7-bit I2C address that must be one of the part's {@code allowed} addresses. */
  public static DriverOption i2cAddress(int defaultAddress, List<Integer> allowed, String doc) {
    return new DriverOption(
        "address",
        "address",
        (long) defaultAddress,
        "\"" + hex(defaultAddress) + "\"",
        false,
        longs(allowed),
        null,
        null,
        null,
        doc,
        v ->
            hex(((Number) v).intValue())
                + " is not an address of this part, expected "
                + hexes(allowed));
  }

  private static List<Long> longs(List<Integer> ints) {
    List<Long> out = new ArrayList<>(ints.size());
    for (int i : ints) {
      out.add((long) i);
    }
    return List.copyOf(out);
  }

  private static String hexes(List<Integer> addresses) {
    StringJoiner out = new StringJoiner(" or ");
    for (int a : addresses) {
      out.add(hex(a));
    }
    return out.toString();
  }

  /** An integer in {@code [min, max]}. */
  public static DriverOption integer(String name, long def, long min, long max, String doc) {
    return new DriverOption(
        name,
        "integer",
        def,
        String.valueOf(def),
        false,
        List.of(),
        min,
        max,
        null,
        doc,
        v -> v + " out of range, expected " + min + ".." + max);
  }

  /** A required integer in {@code [min, max]} with its own message for values out of range. */
  public static DriverOption requiredInteger(
      String name, long min, long max, String outOfRange, String doc) {
    return new DriverOption(
        name,
        "integer",
        null,
        "required",
        true,
        List.of(),
        min,
        max,
        null,
        doc,
        v -> v + " " + outOfRange);
  }

  /** An integer that must be one of {@code allowed}; {@code note} follows the list in errors. */
  public static DriverOption oneOfIntegers(
      String name, long def, List<Long> allowed, String note, String doc) {
    return new DriverOption(
        name,
        "integer",
        def,
        String.valueOf(def),
        false,
        allowed,
        null,
        null,
        null,
        doc,
        v -> v + " is not one of " + allowed.stream().map(Long::intValue).toList() + note);
  }

  /** A number that must be one of {@code allowed}; {@code note} follows the list in errors. */
  public static DriverOption oneOfNumbers(
      String name, double def, List<Double> allowed, String note, String doc) {
    return new DriverOption(
        name,
        "number",
        def,
        plain(def),
        false,
        allowed,
        null,
        null,
        null,
        doc,
        v -> v + " is not one of " + allowed + note);
  }

  /** A number with {@code exclusiveMin < value <= max}, in {@code unit}. */
  public static DriverOption positiveNumber(
      String name, double def, double max, String unit, String doc) {
    return new DriverOption(
        name,
        "number",
        def,
        plain(def),
        false,
        List.of(),
        0.0,
        max,
        null,
        doc,
        v -> v + " out of range, expected 0 < " + name + " <= " + plain(max) + " (" + unit + ")");
  }

  /** A string that must be one of {@code allowed}. */
  public static DriverOption choice(String name, String def, List<String> allowed, String doc) {
    return new DriverOption(
        name,
        "string",
        def,
        "\"" + def + "\"",
        false,
        allowed,
        null,
        null,
        null,
        doc,
        v -> "\"" + v + "\" is not one of " + allowed);
  }

  /** A duration such as {@code "20ms"} of at most {@code max}. */
  public static DriverOption duration(String name, Duration def, Duration max, String doc) {
    return new DriverOption(
        name,
        "duration",
        def,
        "\"" + def.toMillis() + "ms\"",
        false,
        List.of(),
        null,
        max.toMillis(),
        null,
        doc,
        v -> "must be at most " + max.toSeconds() + "s, got " + ((Duration) v).toMillis() + "ms");
  }

  /** A boolean; {@code def == null} makes it required, with {@code missing} as the message. */
  public static DriverOption bool(String name, Boolean def, String missing, String doc) {
    return new DriverOption(
        name,
        "boolean",
        def,
        def == null ? "required" : String.valueOf(def),
        def == null,
        List.of(),
        null,
        null,
        null,
        doc,
        v -> missing);
  }

  /**
   * A string that must contain a match of {@code pattern}; {@code def == null} means absent is
   * allowed and {@code defaultText} says what happens then.
   */
  public static DriverOption string(
      String name, String def, String defaultText, String pattern, Problem problem, String doc) {
    return new DriverOption(
        name,
        "string",
        def,
        def == null ? defaultText : "\"" + def + "\"",
        false,
        List.of(),
        null,
        null,
        pattern,
        doc,
        problem);
  }

  /** A JSON object the driver checks itself (e.g. {@code channels}). */
  public static DriverOption object(String name, boolean required, String doc) {
    return new DriverOption(
        name,
        "object",
        null,
        required ? "required" : "",
        required,
        List.of(),
        null,
        null,
        null,
        doc,
        v -> "");
  }

  /** Reads and checks this option in {@code o}, with the messages the drivers always gave. */
  Object read(Options o) throws ConfigException {
    switch (kind) {
      case "integer", "address" -> {
        if (required && !o.has(name)) {
          return o.integer(name); // throws "missing, expected an integer"
        }
        long v = o.integer(name, defaultValue == null ? 0 : (Long) defaultValue);
        boolean ok =
            allowed.isEmpty()
                ? (min == null || v >= min.longValue()) && (max == null || v <= max.longValue())
                : allowed.contains(v);
        if (!ok) {
          throw new ConfigException(o.location(), name, problem.describe(v));
        }
        return v;
      }
      case "number" -> {
        double v = o.number(name, (Double) defaultValue);
        boolean ok =
            allowed.isEmpty()
                ? v > min.doubleValue() && v <= max.doubleValue()
                : allowed.contains(v);
        if (!ok) {
          throw new ConfigException(o.location(), name, problem.describe(v));
        }
        return v;
      }
      case "string" -> {
        String v =
            allowed.isEmpty()
                ? o.optString(name).orElse((String) defaultValue)
                : o.choice(name, (String) defaultValue, (List<String>) stringList());
        if (v != null && pattern != null && !Pattern.compile(pattern).matcher(v).find()) {
          throw new ConfigException(o.location(), name, problem.describe(v));
        }
        return v;
      }
      case "boolean" -> {
        if (required && !o.has(name)) {
          throw new ConfigException(o.location(), name, problem.describe(null));
        }
        return o.bool(name, defaultValue != null && (Boolean) defaultValue);
      }
      case "duration" -> {
        Duration d = o.duration(name, (Duration) defaultValue);
        if (max != null && d.toMillis() > max.longValue()) {
          throw new ConfigException(o.location(), name, problem.describe(d));
        }
        return d;
      }
      case "object" -> {
        return o.has(name) ? o.object(name) : null;
      }
      default -> throw new IllegalStateException("unknown option kind " + kind);
    }
  }

  @SuppressWarnings("unchecked")
  private List<String> stringList() {
    return (List<String>) allowed;
  }

  static String hex(int address) {
    return String.format(Locale.ROOT, "0x%02X", address);
  }

  /** {@code 3.3} as "3.3" and {@code 0.0} as "0". */
  static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
