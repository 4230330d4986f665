package io.outpost.agent.commands;

import io.outpost.agent.outputs.Outputs;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The commands every agent answers: ping, status, sample, config.get, buffer.stats, agent.restart,
 * and output.set (which finds no output on a device without {@code gpio-out} sensors).
 */
public final class Builtins {
  /**
   * The exit code of {@code agent.restart} (75, EX_TEMPFAIL): non-zero so that {@code
   * Restart=on-failure} restarts the service, and distinct from 1 (failure) and 2 (config).
   */
  public static final int RESTART_EXIT_CODE = 75;

  private Builtins() {}

  /**
   * @param outputs the device's switchable outputs, for {@code output.set}
   * @param version the agent version {@code ping} reports
   */
  public static List<CommandHandler> all(
      AgentControl agent, Outputs outputs, Clock clock, String version) {
    return List.of(
        Handlers.named(
            "ping",
            c -> {
              Map<String, Object> r = new LinkedHashMap<>();
              r.put("pong", true);
              r.put("time", clock.millis());
              r.put("version", version);
              return CommandResult.succeeded(r);
            }),
        Handlers.named("status", c -> CommandResult.succeeded(agent.status())),
        Handlers.named(
            "sample", c -> CommandResult.succeeded(Map.of("records", agent.sampleNow()))),
        Handlers.named("config.get", c -> CommandResult.succeeded(agent.redactedConfig())),
        Handlers.named("buffer.stats", c -> CommandResult.succeeded(agent.bufferStats())),
        Handlers.named(
            "agent.restart",
            c -> {
              agent.restart(c.id(), "agent.restart command " + c.id() + " from " + c.from());
              return CommandResult.succeeded(
                  Map.of("restarting", true, "exitCode", RESTART_EXIT_CODE));
            }),
        outputs.commandHandler());
  }
}
