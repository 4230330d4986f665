package io.outpost.agent.commands;

import java.util.List;
import java.util.Map;

/** What the built-in commands may ask of the running agent. Implementations are thread-safe. */
public interface AgentControl {

  /** The current status message body (without envelope fields). */
  Map<String, Object> status();

  /** Reads every sensor now; SenML records with absolute names and times. */
  List<Object> sampleNow();

  /** The resolved configuration with secrets masked. */
  Map<String, Object> redactedConfig();

  /** Outbox figures. */
  Map<String, Object> bufferStats();

  /**
   * Asks the agent to stop with {@link Builtins#RESTART_EXIT_CODE} once the result of the restart
   * command has been handed to the outbox, so systemd ({@code Restart=on-failure}) starts it again.
   */
  void restart(String commandId, String reason);
}
