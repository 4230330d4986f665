package io.outpost.agent.cli;

import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.hardware.Hardwares;
import io.outpost.agent.internal.Json;
import io.outpost.agent.plugins.LoadedPlugins;
import io.outpost.agent.profiles.Profiles;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.sampler.Sampler;
import io.outpost.plugin.ConfigException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code outpost sample}: reads every sensor once or N times and prints SenML records, one per
 * line.
 */
final class SampleCommand implements CliCommand {
  private final ConfigLoader loader;

  SampleCommand(ConfigLoader loader) {
    this.loader = loader;
  }

  @Override
  public String name() {
    return "sample";
  }

  @Override
  public String summary() {
    return "read every sensor once (or N times) and print SenML JSON lines";
  }

  @Override
  public String help() {
    return """
        Usage: outpost sample [--config FILE | --profile NAME] [--count N]

        Reads every sensor of the profile and prints one SenML record per line, e.g.
          {"n":"ctr/count","v":1,"t":1763865600.125}
        Rounds are paced by the shortest sensor interval. Works on simulated hardware. A sensor
        that fails is reported on standard error and the exit code is 1.

        Options:
          --config FILE    take the profile and sensor overrides from this configuration
                           (default /etc/outpost/agent.json)
          --profile NAME   a bundled profile name (see outpost profiles) or a profile file;
                           no configuration file is needed
          --count N        rounds to read (default 1)
          --help           this text
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Args a = new Args(name(), args, Set.of("config", "profile", "count"), Set.of());
    if (a.help()) {
      out.print(help());
      return OK;
    }
    if (a.has("config") && a.has("profile")) {
      throw new Args.UsageException("outpost sample: give --config or --profile, not both");
    }
    int count;
    try {
      count = a.has("count") ? Integer.parseInt(a.get("count")) : 1;
    } catch (NumberFormatException e) {
      throw new Args.UsageException(
          "outpost sample: --count \"" + a.get("count") + "\" is not a number");
    }
    if (count < 1) {
      throw new Args.UsageException("outpost sample: --count must be at least 1, got " + count);
    }
    Logging.configure("warn", null);
    Clock clock = Clock.systemUTC();
    List<SensorSetup.Configured> sensors;
    LoadedPlugins plugins = null;
    try {
      if (a.has("profile")) {
        AgentConfig config =
            loader.load(
                Map.of("device", Map.of("id", "local"), "profile", a.get("profile")),
                "--profile",
                Path.of("").toAbsolutePath(),
                false);
        Profiles.Profile profile;
        try {
          profile = Profiles.load(a.get("profile"), config.configDir());
        } catch (ConfigException e) {
          throw new ConfigInvalidException(e.location().isEmpty() ? e.at("--profile") : e);
        }
        sensors = SensorSetup.buildAll(profile, config, SensorRegistry.builtIn(), clock);
      } else {
        Setup.Loaded l = Setup.loadWithPlugins(loader.load(Setup.configFile(a), false), clock, err);
        sensors = l.sensors();
        plugins = l.plugins();
      }
    } catch (ConfigInvalidException e) {
      Setup.printProblems(e, err);
      return USAGE;
    }
    Duration pace =
        sensors.stream()
            .map(c -> c.spec().interval())
            .min(Duration::compareTo)
            .orElse(Duration.ZERO);
    boolean failed = false;
    try (Sampler sampler = new Sampler(sensors, clock, r -> {})) {
      for (int round = 0; round < count; round++) {
        if (round > 0) {
          Thread.sleep(pace.toMillis());
        }
        for (Object rec : sampler.sampleNow()) {
          if (rec instanceof Map<?, ?> m && m.containsKey("error")) {
            // {"n": sensor, "error": message}
            err.println(m.get("n") + ": read failed: " + m.get("error"));
            failed = true;
          } else {
            out.println(Json.write(Json.toJson(rec)));
          }
        }
      }
    } finally {
      // The sensors are closed (outputs back in their safe state) before the pins are released.
      Hardwares.shutdown();
      if (plugins != null) {
        plugins.close();
      }
    }
    out.flush();
    return failed ? FAILURE : OK;
  }
}
