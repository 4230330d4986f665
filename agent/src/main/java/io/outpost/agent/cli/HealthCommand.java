package io.outpost.agent.cli;

import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.status.Health;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Set;

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

        Options:
          --config FILE   the configuration the agent runs with (default /etc/outpost/agent.json)
          --help          this text
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Args a = new Args(name(), args, Set.of("config"), Set.of());
    if (a.help()) {
      out.print(help());
      return OK;
    }
    Logging.configure("warn", null);
    AgentConfig config;
    try {
      config = loader.load(Setup.configFile(a), false);
    } catch (ConfigInvalidException e) {
      Setup.printProblems(e, err);
      return USAGE;
    }
    Health.Verdict v = Health.check(config.status().file(), Instant.now());
    if (v.healthy()) {
      out.println("healthy: " + String.join("; ", v.notes()));
      return OK;
    }
    for (String p : v.problems()) {
      out.println("unhealthy: " + p);
    }
    return FAILURE;
  }
}
