package io.outpost.agent.profiles;

import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.Deadband;
import io.outpost.agent.config.Problems;
import io.outpost.agent.hardware.Hardwares;
import io.outpost.log.Logger;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.PluginLog;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the profile plus the config's per-sensor overrides into created (not yet started) sensors,
 * collecting every problem. Creating a sensor touches no hardware, so {@code outpost check} runs
 * this too.
 */
public final class SensorSetup {
  /** Keys of a profile entry the agent handles itself; the rest belong to the driver. */
  public static final Set<String> AGENT_KEYS =
      Set.of(
          "name",
          "type",
          "interval",
          "deadband",
          "minInterval",
          "maxInterval",
          "readTimeout",
          "simulate");

  private SensorSetup() {}

  /** A created sensor and its schedule. {@code events} receives what it emits between reads. */
  public record Configured(SensorSpec spec, Sensor sensor, EventSink events) {}

  /** Where readings emitted between reads go; set by the sampler before the sensor starts. */
  public static final class EventSink {
    private volatile Consumer<Reading> target = r -> {};

    public void connect(Consumer<Reading> target) {
      this.target = target;
    }

    void emit(Reading r) {
      target.accept(r);
    }
  }

  /**
   * @param profile the loaded profile
   * @param config supplies the overrides and the telemetry defaults
   * @param problems receives every problem; sensors with problems are left out
   */
  public static List<Configured> build(
      Profiles.Profile profile,
      AgentConfig config,
      SensorRegistry registry,
      Clock clock,
      Problems problems) {
    List<Configured> out = new ArrayList<>();
    Object list = profile.json().get("sensors");
    if (!(list instanceof List<?> entries)) {
      problems.add(profile.source(), "sensors", "missing, expected a list of sensors");
      return out;
    }
    Set<String> names = new HashSet<>();
    Map<String, Map<String, Object>> overrides = new LinkedHashMap<>(config.sensorOverrides());
    for (int i = 0; i < entries.size(); i++) {
      String at = profile.source() + ": sensors[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> m)) {
        problems.add(at, "", "expected an object with \"name\", \"type\" and \"interval\"");
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> entry = new LinkedHashMap<>((Map<String, Object>) m);
      Object nameObj = entry.get("name");
      if (!(nameObj instanceof String name) || name.isBlank() || name.contains("/")) {
        problems.add(
            at,
            "name",
            "expected a non-empty string without '/', got "
                + (nameObj == null ? "nothing" : nameObj));
        continue;
      }
      if (!names.add(name)) {
        problems.add(at, "name", "\"" + name + "\" is used by two sensors; names must be unique");
        continue;
      }
      Map<String, Object> ov = overrides.remove(name);
      if (ov != null) {
        entry.putAll(ov);
        if (ov.containsKey("name") || ov.containsKey("type")) {
          problems.add(
              config.originOf("sensors." + name),
              "sensors." + name,
              "cannot override \"name\" or \"type\"; change the profile instead");
        }
      }
      Object typeObj = entry.get("type");
      String where = at + " (\"" + name + "\", " + typeObj + ")";
      if (!(typeObj instanceof String type)) {
        problems.add(where, "type", "missing, expected a sensor type such as \"sim.counter\"");
        continue;
      }
      SensorFactory factory = registry.factory(type).orElse(null);
      if (factory == null) {
        problems.add(
            where,
            "type",
            "unknown sensor type \""
                + type
                + "\" (known: "
                + registry.types()
                + "; plugin jars are searched in "
                + config.plugins().dirs()
                + ")");
        continue;
      }
      try {
        Options all = new Options(where, entry);
        SensorSpec spec = spec(all, name, type, config.telemetry(), where);
        Map<String, Object> driverOpts = new LinkedHashMap<>(entry);
        AGENT_KEYS.forEach(driverOpts::remove);
        Options options = new Options(where, driverOpts);
        Hardware hw =
            Hardwares.forSensor(
                factory,
                spec.simulate(),
                profile.baseDir() == null ? Path.of(".") : profile.baseDir());
        EventSink sink = new EventSink();
        SensorContext ctx = new Context(name, options, hw, clock, sink);
        out.add(new Configured(spec, factory.create(ctx), sink));
      } catch (ConfigException e) {
        problems.add(e);
      } catch (RuntimeException e) {
        problems.add(where, "", "the driver failed while checking its options: " + e);
      }
    }
    for (String unknown : overrides.keySet()) {
      problems.add(
          config.originOf("sensors." + unknown),
          "sensors." + unknown,
          "no sensor named \""
              + unknown
              + "\" in profile "
              + profile.name()
              + " (sensors: "
              + names
              + ")");
    }
    return out;
  }

  /**
   * As {@link #build}, for callers that go on only without problems.
   *
   * @throws ConfigInvalidException with every problem found
   */
  public static List<Configured> buildAll(
      Profiles.Profile profile, AgentConfig config, SensorRegistry registry, Clock clock)
      throws ConfigInvalidException {
    Problems problems = new Problems();
    List<Configured> sensors = build(profile, config, registry, clock, problems);
    problems.throwIfAny();
    return sensors;
  }

  private static SensorSpec spec(
      Options o, String name, String type, AgentConfig.Telemetry t, String where)
      throws ConfigException {
    Duration interval = o.duration("interval");
    if (interval.toMillis() < 1) {
      throw new ConfigException(where, "interval", "must be at least 1ms");
    }
    double deadband = t.deadband();
    double pct = t.deadbandPercent();
    if (o.has("deadband")) {
      try {
        double[] d = Deadband.parse(o.asMap().get("deadband"));
        deadband = d[0];
        pct = d[1];
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where, "deadband", e.getMessage());
      }
    }
    Duration readTimeout = o.duration("readTimeout", t.readTimeout());
    if (readTimeout.isZero()) {
      throw new ConfigException(where, "readTimeout", "must be greater than 0");
    }
    return new SensorSpec(
        name,
        type,
        interval,
        deadband,
        pct,
        o.duration("minInterval", t.minInterval()),
        o.duration("maxInterval", t.maxInterval()),
        readTimeout,
        o,
        o.object("simulate"),
        where);
  }

  private record Context(
      String name, Options options, Hardware hardware, Clock clock, EventSink sink)
      implements SensorContext {
    @Override
    public void emit(Reading reading) {
      sink.emit(reading);
    }

    @Override
    public PluginLog log() {
      return new LoggerPluginLog(name);
    }
  }

  /** A {@link PluginLog} over the agent's logger, prefixing the owner's name. */
  public record LoggerPluginLog(String prefix) implements PluginLog {
    @Override
    public void debug(String message) {
      Logger.debug("{}: {}", prefix, message);
    }

    @Override
    public void info(String message) {
      Logger.info("{}: {}", prefix, message);
    }

    @Override
    public void warn(String message) {
      Logger.warn("{}: {}", prefix, message);
    }

    @Override
    public void error(String message, Throwable cause) {
      Logger.error("{}: {}{}", prefix, message, cause == null ? "" : " (" + cause + ")");
    }
  }
}
