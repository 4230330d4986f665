package io.outpost.agent.cli;

import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.status.Health;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/**
 * {@code outpost health}: judges the running agent from its status file; exit 0 healthy, 1
 * unhealthy, 2 invalid usage or configuration.
 */
final class HealthCommand implements CliCommand {
  private final ConfigLoader loader;

  HealthCommand(ConfigLoader loader) {
    this.loader = loader;
  }

  @Override
  public String name() {
    return "health";
  }

  @Override
  public String summary() {
    return "exit 0 when the running agent is healthy, else 1 and say why";
  }

  @Override
  public String help() {
    return """
        Usage: outpost health [--config FILE] [--allow-offline]

        Reads the status file of the running agent (status.file in the configuration; default
        $RUNTIME_DIRECTORY/status.json or /run/outpost/status.json) and exits 0 only when the
        agent has proven end-to-end delivery since it started (the server acked a publish) and
        the pipeline progresses: the file is fresh and its process alive, a sensor was read
        recently, the outbox is writable, no plugin service failed, the credential (token file)
        exists and is readable, and acks keep coming while messages wait. Otherwise prints every
        reason and exits 1. For OTA commit scripts (docs/operations.md).

        Exit codes: 0 healthy, 1 unhealthy (or no agent running), 2 invalid usage or
        configuration.

        """
        + Setup.CONFIG_OPTIONS
        + """
          --allow-offline also healthy when nothing was delivered since the start but the agent
                          is knowingly offline (reconnecting) with a usable credential
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    boolean allowOffline = args.contains("--allow-offline");
    return Setup.withConfig(
        this,
        loader,
        args.stream().filter(a -> !a.equals("--allow-offline")).toList(),
        false,
        out,
        err,
        config -> {
          Logging.configure("warn", null);
          Health.Verdict v = Health.check(config.status().file(), Instant.now(), allowOffline);
          if (v.healthy()) {
            out.println("healthy: " + String.join("; ", v.notes()));
            return OK;
          }
          for (String p : v.problems()) {
            out.println("unhealthy: " + p);
          }
          return FAILURE;
        });
  }
}
