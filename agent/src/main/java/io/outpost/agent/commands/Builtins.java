package io.outpost.agent.commands;

import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The commands every agent answers: ping, status, sample, config.get, buffer.stats, agent.restart. */
public final class Builtins {
  /**
   * The exit code of {@code agent.restart} (75, EX_TEMPFAIL): non-zero so that
   * {@code Restart=on-failure} restarts the service, and distinct from 1 (failure) and 2 (config).
   */
  public static final int RESTART_EXIT_CODE = 75;

  private Builtins() {}

  public static List<CommandHandler> all(AgentControl agent, Clock clock, String version) {
    return List.of(
        handler("ping", c -> {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("pong", true);
          r.put("time", clock.millis());
          r.put("version", version);
          return CommandResult.succeeded(r);
        }),
        handler("status", c -> CommandResult.succeeded(agent.status())),
        handler("sample", c -> CommandResult.succeeded(Map.of("records", agent.sampleNow()))),
        handler("config.get", c -> CommandResult.succeeded(agent.redactedConfig())),
        handler("buffer.stats", c -> CommandResult.succeeded(agent.bufferStats())),
        handler("agent.restart", c -> {
          agent.restart(c.id(), "agent.restart command " + c.id() + " from " + c.from());
          return CommandResult.succeeded(Map.of("restarting", true, "exitCode", RESTART_EXIT_CODE));
        }));
  }

  private interface Body {
    CommandResult run(io.outpost.plugin.Command c) throws Exception;
  }

  private static CommandHandler handler(String name, Body body) {
    return new CommandHandler() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CommandResult handle(io.outpost.plugin.Command command) throws Exception {
        return body.run(command);
      }
    };
  }
}
