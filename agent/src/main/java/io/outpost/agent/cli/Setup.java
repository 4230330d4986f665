package io.outpost.agent.cli;

import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.outputs.Outputs;
import io.outpost.agent.plugins.IsolatedSensor;
import io.outpost.agent.plugins.LoadedPlugins;
import io.outpost.agent.plugins.PluginLoader;
import io.outpost.agent.plugins.PluginProblem;
import io.outpost.agent.profiles.Profiles;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.plugin.ConfigException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * What {@code run}, {@code check}, {@code health} and {@code sample} share: the {@code --config}
 * option, loading config, plugins, profile and sensors the same way, and printing configuration
 * problems.
 */
final class Setup {
  private Setup() {}

  /** The options block of the commands that take only {@code --config}. */
  static final String CONFIG_OPTIONS =
      """
      Options:
        --config FILE   the main configuration file (default /etc/outpost/agent.json)
        --help          this text
      """;

  /**
   * A loaded configuration with its profile, its created (not started) sensors, the registry of
   * their {@code gpio-out} outputs, and the plugins (to close when done).
   */
  record Loaded(
      AgentConfig config,
      Profiles.Profile profile,
      List<SensorSetup.Configured> sensors,
      Outputs outputs,
      LoadedPlugins plugins) {}

  /** What a command does with its loaded configuration. */
  interface ConfigAction {
    /**
     * @return the exit code
     */
    int run(AgentConfig config) throws Exception;
  }

  /**
   * Runs a command that takes only {@code [--config FILE]}: prints its help on {@code --help}, else
   * loads the configuration and hands it to {@code action}. An invalid configuration, there or in
   * {@code action}, prints every problem and gives exit code 2.
   *
   * @param requireNetwork whether {@code network} must be configured (not for {@code health})
   */
  static int withConfig(
      CliCommand command,
      ConfigLoader loader,
      List<String> args,
      boolean requireNetwork,
      PrintStream out,
      PrintStream err,
      ConfigAction action)
      throws Exception {
    Args a = new Args(command.name(), args, Set.of("config"), Set.of());
    if (a.help()) {
      out.print(command.help());
      return CliCommand.OK;
    }
    try {
      return action.run(loader.load(configFile(a), requireNetwork));
    } catch (ConfigInvalidException e) {
      printProblems(e, err);
      return CliCommand.USAGE;
    }
  }

  /**
   * Loads plugins (from {@code plugins.dirs}; a bad jar is a warning, the rest still load), the
   * profile and its sensors, with one {@link Outputs} for this run. On failure the plugins are
   * closed.
   */
  static Loaded loadWithPlugins(AgentConfig config, Clock clock, PrintStream err)
      throws ConfigInvalidException {
    LoadedPlugins plugins =
        new PluginLoader()
            .load(config.plugins().dirs(), Set.copyOf(SensorRegistry.builtIn().types()));
    for (PluginProblem p : plugins.problems()) {
      err.println("warning: plugin " + p);
    }
    SensorRegistry registry =
        new SensorRegistry(
            plugins.isolatedSensorFactories(IsolatedSensor.Limits.defaults()), new Outputs());
    try {
      validateServiceSections(config, plugins);
      Profiles.Profile profile = profile(config);
      List<SensorSetup.Configured> sensors = SensorSetup.buildAll(profile, config, registry, clock);
      return new Loaded(config, profile, sensors, registry.outputs(), plugins);
    } catch (ConfigInvalidException e) {
      plugins.close();
      throw e;
    }
  }

  /**
   * Lets each service factory that owns a top-level section (the bridge's {@code bridge}) check it,
   * so {@code check} and {@code run} report its problems like the agent's own.
   */
  private static void validateServiceSections(AgentConfig config, LoadedPlugins plugins)
      throws ConfigInvalidException {
    List<ConfigException> problems = new java.util.ArrayList<>();
    for (io.outpost.plugin.AgentServiceFactory f : plugins.serviceFactories()) {
      String name = f.section();
      if (name == null || !config.resolved().containsKey(name)) {
        continue;
      }
      @SuppressWarnings("unchecked")
      java.util.Map<String, Object> m =
          config.resolved().get(name) instanceof java.util.Map<?, ?> x
              ? (java.util.Map<String, Object>) x
              : java.util.Map.of();
      problems.addAll(
          f.validate(new io.outpost.plugin.Options(config.originOf(name) + ": " + name, m)));
    }
    if (!problems.isEmpty()) {
      throw new ConfigInvalidException(problems);
    }
  }

  static Path configFile(Args a) {
    return a.has("config") ? Path.of(a.get("config")) : ConfigLoader.DEFAULT_FILE;
  }

  private static Profiles.Profile profile(AgentConfig config) throws ConfigInvalidException {
    try {
      return Profiles.load(config.profile(), config.configDir());
    } catch (ConfigException e) {
      throw new ConfigInvalidException(
          e.location().isEmpty() ? e.at(config.originOf("profile")) : e);
    }
  }

  static void printProblems(ConfigInvalidException e, PrintStream err) {
    for (ConfigException p : e.problems()) {
      err.println(p.getMessage());
    }
    err.println(e.problems().size() == 1 ? "1 problem." : e.problems().size() + " problems.");
  }
}
