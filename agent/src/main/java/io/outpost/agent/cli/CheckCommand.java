package io.outpost.agent.cli;

import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.config.Redactor;
import io.outpost.agent.internal.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code outpost check}: validates config and profile, prints every problem or the resolved config.
 */
final class CheckCommand implements CliCommand {
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
    return "validate config and profile; print the resolved config (secrets redacted)";
  }

  @Override
  public String help() {
    return """
        Usage: outpost check [--config FILE]

        Loads FILE (default /etc/outpost/agent.json), then agent.d/*.json beside it in name order,
        then OUTPOST_* environment variables; checks every key, the device profile and every
        sensor's options. Prints every problem found (file, key, what was expected) and exits 2,
        or prints the resolved configuration with secrets redacted and exits 0.

        """
        + Setup.CONFIG_OPTIONS;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return Setup.withConfig(
        this,
        loader,
        args,
        true,
        out,
        err,
        config -> {
          Logging.configure("warn", null);
          Setup.Loaded l = Setup.loadWithPlugins(config, Clock.systemUTC(), err);
          l.plugins().close();
          Map<String, Object> shown = new LinkedHashMap<>(Redactor.redact(config.resolved()));
          // Show what "auto" and the defaults resolved to, not only what the files said.
          Map<String, Object> resolved = new LinkedHashMap<>();
          resolved.put("device.id", config.deviceId());
          resolved.put("stateDir", config.stateDir().toString());
          resolved.put("status.file", config.status().file().toString());
          resolved.put(
              "profile",
              l.profile().name()
                  + " ("
                  + l.profile().source()
                  + ", "
                  + l.sensors().size()
                  + " sensors)");
          if (!l.outputs().states().isEmpty()) {
            resolved.put("outputs", List.copyOf(l.outputs().states().keySet()));
          }
          shown.put("_resolved", resolved);
          out.println(Json.PRETTY.toJson(Json.toJson(shown)));
          err.println("configuration is valid");
          return OK;
        });
  }
}
