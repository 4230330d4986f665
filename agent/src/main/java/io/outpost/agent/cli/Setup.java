package io.outpost.agent.cli;

import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.config.Problems;
import io.outpost.agent.sensors.Profiles;
import io.outpost.agent.sensors.SensorRegistry;
import io.outpost.agent.sensors.SensorSetup;
import io.outpost.plugin.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import io.outpost.agent.plugins.IsolatedSensor;
import io.outpost.agent.plugins.LoadedPlugins;
import io.outpost.agent.plugins.PluginLoader;
import io.outpost.agent.plugins.PluginProblem;

/** Loads config, profile and sensors the same way for {@code run}, {@code check} and {@code sample}. */
final class Setup {
  private Setup() {}

  record Loaded(AgentConfig config, Profiles.Profile profile, List<SensorSetup.Configured> sensors, LoadedPlugins plugins) {}

  /**
   * Loads config, plugins (from {@code plugins.dirs}; a bad jar is a warning, the rest still load),
   * the profile and its sensors.
   */
  static Loaded loadWithPlugins(ConfigLoader loader, Path file, boolean requireNetwork, Clock clock, java.io.PrintStream err)
      throws ConfigInvalidException {
    return loadWithPlugins(loader.load(file, requireNetwork), requireNetwork, clock, err);
  }

  /** Same, for a configuration already loaded (so {@code run} can set up logging first). */
  static Loaded loadWithPlugins(AgentConfig config, boolean requireNetwork, Clock clock, java.io.PrintStream err)
      throws ConfigInvalidException {
    LoadedPlugins plugins = new PluginLoader().load(config.plugins().dirs(), Set.copyOf(SensorRegistry.builtIn().types()));
    for (PluginProblem p : plugins.problems()) {
      err.println("warning: plugin " + p);
    }
    SensorRegistry registry = new SensorRegistry(plugins.isolatedSensorFactories(IsolatedSensor.Limits.defaults()));
    try {
      Loaded l = load(config, requireNetwork, registry, clock);
      return new Loaded(l.config(), l.profile(), l.sensors(), plugins);
    } catch (ConfigInvalidException e) {
      plugins.close();
      throw e;
    }
  }

  static Path configFile(Args a) {
    return a.has("config") ? Path.of(a.get("config")) : ConfigLoader.DEFAULT_FILE;
  }

  /** Loads everything, collecting every problem into one exception. */
  static Loaded load(ConfigLoader loader, Path file, boolean requireNetwork, SensorRegistry registry, Clock clock)
      throws ConfigInvalidException {
    return load(loader.load(file, requireNetwork), requireNetwork, registry, clock);
  }

  private static Loaded load(AgentConfig config, boolean requireNetwork, SensorRegistry registry, Clock clock)
      throws ConfigInvalidException {
    Problems problems = new Problems();
    Profiles.Profile profile;
    try {
      profile = Profiles.load(config.profile(), config.configDir());
    } catch (ConfigException e) {
      throw new ConfigInvalidException(e.location().isEmpty() ? e.at(config.originOf("profile")) : e);
    }
    List<SensorSetup.Configured> sensors = SensorSetup.build(profile, config, registry, clock, problems);
    problems.throwIfAny();
    return new Loaded(config, profile, sensors, null);
  }

  static void printProblems(ConfigInvalidException e, java.io.PrintStream err) {
    for (ConfigException p : e.problems()) {
      err.println(p.getMessage());
    }
    err.println(e.problems().size() == 1 ? "1 problem." : e.problems().size() + " problems.");
  }
}
