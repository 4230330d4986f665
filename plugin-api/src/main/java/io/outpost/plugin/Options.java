package io.outpost.plugin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only view of one JSON object (a sensor's entry in a profile, a command's {@code args})
 * with typed getters whose errors name the location, the key, the value and what was expected.
 *
 * <p>Values are what a JSON parser produces: {@link String}, {@link Number}, {@link Boolean},
 * {@link List}, {@link Map} (String keys) or {@code null}. Durations are strings such as {@code
 * "20ms"}, {@code "10s"}, {@code "5m"}, {@code "1h"}; sizes are strings such as {@code "512KB"},
 * {@code "64MB"} or plain byte counts; integers may be given as JSON numbers or as hex strings
 * ({@code "0x76"}).
 */
public final class Options {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|KiB|MiB|GiB)?");

  private final String location;
  private final Map<String, Object> values;

  public Options(String location, Map<String, ?> values) {
    this.location = location == null ? "" : location;
    this.values =
        Collections.unmodifiableMap(new LinkedHashMap<>(values == null ? Map.of() : values));
  }

  public static Options empty(String location) {
    return new Options(location, Map.of());
  }

  /**
   * Where these options came from, e.g. {@code "simulated.json: sensors[0] (\"ctr\",
   * sim.counter)"}.
   */
  public String location() {
    return location;
  }

  public Map<String, Object> asMap() {
    return values;
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  /** Fails with every key that is not in {@code allowed}, so a typo never passes silently. */
  public void allowOnly(Set<String> allowed) throws ConfigException {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      String key = unknown.iterator().next();
      throw new ConfigException(
          location, key, "unknown key (expected one of " + new TreeSet<>(allowed) + ")");
    }
  }

  public String string(String key) throws ConfigException {
    return optString(key).orElseThrow(() -> missing(key, "a string"));
  }

  public Optional<String> optString(String key) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (!(v instanceof String s)) {
      throw wrongType(key, v, "a string");
    }
    return Optional.of(s);
  }

  public String string(String key, String defaultValue) throws ConfigException {
    return optString(key).orElse(defaultValue);
  }

  public boolean bool(String key, boolean defaultValue) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Boolean b)) {
      throw wrongType(key, v, "true or false");
    }
    return b;
  }

  public boolean bool(String key) throws ConfigException {
    if (!has(key)) {
      throw missing(key, "true or false");
    }
    return bool(key, false);
  }

  public double number(String key) throws ConfigException {
    if (!has(key)) {
      throw missing(key, "a number");
    }
    return number(key, 0);
  }

  public double number(String key, double defaultValue) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw wrongType(key, v, "a number");
    }
    return n.doubleValue();
  }

  /** An integer given as a JSON number ({@code 118}) or a hex string ({@code "0x76"}). */
  public long integer(String key) throws ConfigException {
    if (!has(key)) {
      throw missing(key, "an integer");
    }
    return integer(key, 0);
  }

  public long integer(String key, long defaultValue) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d) || Double.isInfinite(d)) {
        throw wrongType(key, v, "an integer");
      }
      return n.longValue();
    }
    if (v instanceof String s) {
      String t = s.trim().toLowerCase();
      try {
        return t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw wrongType(key, v, "an integer such as 118 or \"0x76\"");
      }
    }
    throw wrongType(key, v, "an integer");
  }

  /** An integer that must lie in {@code [min, max]}. */
  public long integer(String key, long defaultValue, long min, long max) throws ConfigException {
    long n = integer(key, defaultValue);
    if (n < min || n > max) {
      throw new ConfigException(location, key, n + " out of range, expected " + min + ".." + max);
    }
    return n;
  }

  public Duration duration(String key, Duration defaultValue) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof String s)) {
      throw wrongType(key, v, "a duration such as \"500ms\", \"10s\" or \"5m\"");
    }
    try {
      return parseDuration(s);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          location, key, quote(v) + " is not a duration (expected e.g. \"10s\")");
    }
  }

  public Duration duration(String key) throws ConfigException {
    if (!has(key)) {
      throw missing(key, "a duration such as \"10s\"");
    }
    return duration(key, Duration.ZERO);
  }

  /**
   * A byte size given as a number of bytes or a string such as {@code "64MB"} (1 MB = 1,000,000
   * bytes).
   */
  public long size(String key, long defaultValue) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n
        && n.doubleValue() >= 0
        && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return parseSize(s);
      } catch (IllegalArgumentException e) {
        // fall through to the error below
      }
    }
    throw new ConfigException(location, key, quote(v) + " is not a size (expected e.g. \"64MB\")");
  }

  /** A string that must be one of {@code allowed}. */
  public String choice(String key, String defaultValue, List<String> allowed)
      throws ConfigException {
    String s = string(key, defaultValue);
    if (s != null && !allowed.contains(s)) {
      throw new ConfigException(location, key, quote(s) + " is not one of " + allowed);
    }
    return s;
  }

  public List<String> strings(String key) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw wrongType(key, v, "a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String s)) {
        throw new ConfigException(
            location, key + "[" + i + "]", "expected a string, got " + quote(list.get(i)));
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** The nested object at {@code key}, or an empty view when absent. */
  @SuppressWarnings("unchecked")
  public Options object(String key) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return new Options(location + (location.isEmpty() ? "" : ": ") + key, Map.of());
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw wrongType(key, v, "an object");
    }
    return new Options(location + (location.isEmpty() ? "" : ": ") + key, (Map<String, ?>) m);
  }

  /**
   * Parses {@code "20ms"}, {@code "10s"}, {@code "1.5s"}, {@code "5m"}, {@code "1h"}, {@code "1d"}.
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: \"" + text + "\"");
    }
    double n = Double.parseDouble(m.group(1));
    double millis =
        switch (m.group(2)) {
          case "ms" -> n;
          case "s" -> n * 1_000;
          case "m" -> n * 60_000;
          case "h" -> n * 3_600_000;
          default -> n * 86_400_000;
        };
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }

  /** Parses {@code "512"}, {@code "64KB"}, {@code "64MB"}, {@code "1GB"}, {@code "16MiB"}. */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size: \"" + text + "\"");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    double factor =
        switch (unit) {
          case "KB" -> 1e3;
          case "MB" -> 1e6;
          case "GB" -> 1e9;
          case "KiB" -> 1024;
          case "MiB" -> 1024 * 1024;
          case "GiB" -> 1024.0 * 1024 * 1024;
          default -> 1;
        };
    return Math.round(n * factor);
  }

  private ConfigException missing(String key, String expected) {
    return new ConfigException(location, key, "missing, expected " + expected);
  }

  private ConfigException wrongType(String key, Object v, String expected) {
    return new ConfigException(location, key, "expected " + expected + ", got " + quote(v));
  }

  static String quote(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }

  @Override
  public String toString() {
    return "Options[" + location + "]";
  }
}
