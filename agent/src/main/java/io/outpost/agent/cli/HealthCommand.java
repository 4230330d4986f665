package io.outpost.agent.cli;

import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.status.Health;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/** {@code outpost health}: judges the running agent from its status file. */
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
        Usage: outpost health [--config FILE]

        Reads the status file of the running agent (status.file in the configuration; default
        $RUNTIME_DIRECTORY/status.json or /run/outpost/status.json) and exits 0 only when the
        pipeline progresses: the file is fresh and its process alive, a sensor was read
        recently, the outbox is writable, and the link is connected with a recent ack (or
        nothing to send) or knowingly offline and reconnecting. Otherwise prints every reason
        and exits 1. Exit 2: the configuration is invalid. For OTA commit scripts.

        """
        + Setup.CONFIG_OPTIONS;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    return Setup.withConfig(
        this,
        loader,
        args,
        false,
        out,
        err,
        config -> {
          Logging.configure("warn", null);
          Health.Verdict v = Health.check(config.status().file(), Instant.now());
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
