package io.outpost.plugin;

/**
 * Runs one named command. The agent has already checked target, expiry, authorization and
 * duplicates; the handler validates {@code args} and does the work. It runs on a command worker
 * thread with a timeout (the agent interrupts it at {@link Command#deadline()}), so it may block on
 * I/O but must respond to interruption.
 */
public interface CommandHandler {

  /** The command name it answers, e.g. {@code "output.set"}. */
  String name();

  /**
   * @return the result; throwing {@link ConfigException} yields {@code rejected} with its message,
   *     any other exception yields {@code failed}
   */
  CommandResult handle(Command command) throws Exception;
}
