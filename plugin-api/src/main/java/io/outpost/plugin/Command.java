package io.outpost.plugin;

import java.time.Instant;
import java.util.Optional;

/**
 * A command that passed the agent's checks (target, expiry, authorization, duplicate) and is about
 * to run.
 *
 * @param id the command's unique id, chosen by the sender
 * @param name e.g. {@code "output.set"}
 * @param args the command's {@code args} object; its getters throw {@link ConfigException} naming
 *     the argument, which the agent turns into a {@code rejected} result
 * @param from the sender's peerId ({@code "system"} for REST publishes)
 * @param deadline when the agent stops waiting for the handler (the per-command timeout)
 */
public record Command(String id, String name, Options args, String from, Instant deadline) {

  /**
   * The sender's peerId when it can be answered directly, i.e. when the command came as a direct
   * message.
   */
  public Optional<String> replyTo() {
    return Optional.ofNullable(from);
  }
}
