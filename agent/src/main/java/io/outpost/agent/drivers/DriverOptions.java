package io.outpost.agent.drivers;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A driver's options, declared once: {@link #check} is the driver's option check, and the profile
 * schema's per-type fragment and the DRIVERS.md options table are generated from the same list
 * (held equal to the checked-in files by {@code DriverDocsTest}).
 */
public record DriverOptions(List<DriverOption> list) {

  public DriverOptions {
    list = List.copyOf(list);
  }

  public static DriverOptions of(DriverOption... options) {
    return new DriverOptions(List.of(options));
  }

  /** The option names, in declaration order. */
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    list.forEach(o -> names.add(o.name()));
    return names;
  }

  /**
   * Rejects unknown keys, then reads and checks every option in declaration order, so the first
   * problem reported is the first declared one.
   */
  public Values check(Options o) throws ConfigException {
    o.allowOnly(names());
    Map<String, Object> values = new HashMap<>();
    for (DriverOption opt : list) {
      values.put(opt.name(), opt.read(o));
    }
    return new Values(o, values);
  }

  /** The checked values of one sensor's options (defaults filled in). */
  public static final class Values {
    private final Options options;
    private final Map<String, Object> values;

    Values(Options options, Map<String, Object> values) {
      this.options = options;
      this.values = values;
    }

    /** The options the values came from (for location and nested objects). */
    public Options options() {
      return options;
    }

    public int integer(String name) {
      return ((Number) get(name)).intValue();
    }

    public double number(String name) {
      return ((Number) get(name)).doubleValue();
    }

    /** The string, or {@code null} when absent without a default. */
    public String string(String name) {
      return (String) get(name);
    }

    public boolean bool(String name) {
      return (Boolean) get(name);
    }

    public Duration duration(String name) {
      return (Duration) get(name);
    }

    private Object get(String name) {
      if (!values.containsKey(name)) {
        throw new IllegalArgumentException("no option \"" + name + "\" is declared");
      }
      return values.get(name);
    }
  }
}
