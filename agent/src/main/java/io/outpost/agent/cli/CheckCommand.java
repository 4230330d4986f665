package io.outpost.agent.cli;

import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.config.Preflight;
import io.outpost.agent.config.Problems;
import io.outpost.agent.config.Redactor;
import io.outpost.agent.internal.Json;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code outpost check}: validates config, plugins, profile and sensors and what {@code run} needs
 * from the file system; prints every problem in every file, or the resolved config.
 */
final class CheckCommand implements CliCommand {
  /** Printed when the only thing between a plugin developer and a check is the network. */
  static final String OFFLINE_HINT =
      "hint: outpost check --offline checks config, plugins and profile without network settings";

  private final ConfigLoader loader;

  CheckCommand(ConfigLoader loader) {
    this.loader = loader;
  }

  @Override
  public String name() {
    return "check";
  }

  @Override
  public String summary() {
    return "validate config, plugins and profile; print the resolved config (secrets redacted)";
  }

  @Override
  public String help() {
    return """
        Usage: outpost check [--config FILE] [--offline]

        Loads FILE (default /etc/outpost/agent.json), then agent.d/*.json beside it in name order,
        then OUTPOST_* environment variables; checks every key, the state directory and token file
        run would use, the plugins, the device profile and every sensor's options. Prints every
        problem found in every file (file, key, what was expected) and exits 2, or prints the
        resolved configuration with secrets redacted, the plugin directories searched and the
        jars loaded with the types each provides, and exits 0. File checks use the permissions of
        the user running check: run it as the service user.

        Options:
          --config FILE   the main configuration file (default /etc/outpost/agent.json)
          --offline       check without network settings: network.token may be missing and its
                          file is not checked (to validate a plugin or a profile on a workstation)
          --help          this text
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Args a = new Args(name(), args, Set.of("config"), Set.of("offline"));
    if (a.help()) {
      out.print(help());
      return OK;
    }
    boolean offline = a.has("offline");
    Logging.configure("warn", null);
    Problems problems = new Problems();
    AgentConfig config = null;
    try {
      config = loader.load(Setup.configFile(a), !offline);
    } catch (ConfigInvalidException e) {
      // Every problem of every configuration source is here; the profile is checked against a
      // valid configuration only (its sensors take their defaults and overrides from it).
      e.problems().forEach(problems::add);
    }
    Map<String, Object> resolved = new LinkedHashMap<>();
    Map<String, Object> pluginReport = new LinkedHashMap<>();
    if (config != null) {
      Preflight.check(config, !offline, problems);
      checkPluginsAndProfile(config, problems, resolved, pluginReport, err);
    }
    if (!problems.isEmpty()) {
      ConfigInvalidException all = new ConfigInvalidException(problems.all());
      Setup.printProblems(all, err);
      if (!offline
          && problems.all().stream()
              .anyMatch(
                  p -> p.key().equals("network.token") && p.problem().startsWith("missing"))) {
        err.println(OFFLINE_HINT);
      }
      return USAGE;
    }
    Map<String, Object> shown = new LinkedHashMap<>(Redactor.redact(config.resolved()));
    // Show what "auto" and the defaults resolved to, not only what the files said.
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("device.id", config.deviceId());
    facts.put("stateDir", config.stateDir().toString());
    facts.put("status.file", config.status().file().toString());
    facts.putAll(resolved);
    shown.put("_resolved", facts);
    shown.put("_plugins", pluginReport);
    out.println(Json.pretty(Json.toJson(shown)));
    err.println(
        offline
            ? "configuration is valid (offline: network settings were not checked; run needs"
                + " network.token)"
            : "configuration is valid");
    return OK;
  }

  /**
   * Loads the plugins (reporting the directories searched, the jars and their types), the profile
   * and every sensor, adding each problem.
   */
  private static void checkPluginsAndProfile(
      AgentConfig config,
      Problems problems,
      Map<String, Object> resolved,
      Map<String, Object> pluginReport,
      PrintStream err) {
    List<Path> dirs = config.plugins().dirs();
    LoadedPlugins plugins =
        new PluginLoader().load(dirs, Set.copyOf(SensorRegistry.builtIn().types()));
    try {
      List<String> searched = new ArrayList<>();
      for (Path d : dirs) {
        searched.add(d + (Files.isDirectory(d) ? "" : " (missing)"));
      }
      pluginReport.put("searched", searched);
      Map<String, Object> jars = new LinkedHashMap<>();
      for (Path jar : plugins.jars()) {
        jars.put(jar.toString(), plugins.provides(jar));
      }
      pluginReport.put("jars", jars);
      for (PluginProblem p : plugins.problems()) {
        err.println("warning: plugin " + p);
      }
      SensorRegistry registry =
          new SensorRegistry(
              plugins.isolatedSensorFactories(IsolatedSensor.Limits.defaults()), new Outputs());
      Profiles.Profile profile;
      try {
        profile = Profiles.load(config.profile(), config.configDir(), problems);
      } catch (ConfigException e) {
        problems.add(e.location().isEmpty() ? e.at(config.originOf("profile")) : e);
        return;
      }
      List<SensorSetup.Configured> sensors =
          SensorSetup.build(profile, config, registry, Clock.systemUTC(), problems);
      io.outpost.agent.camera.Cameras.build(
          profile.json().get("cameras"), profile.source(), Clock.systemUTC(), problems);
      resolved.put(
          "profile",
          profile.name() + " (" + profile.source() + ", " + sensors.size() + " sensors)");
      if (!registry.outputs().states().isEmpty()) {
        resolved.put("outputs", List.copyOf(registry.outputs().states().keySet()));
      }
    } finally {
      plugins.close();
    }
  }
}
