package io.outpost.agent.commands;

import io.outpost.plugin.Command;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;

/** Command handlers written as a name and a lambda. */
public final class Handlers {
  private Handlers() {}

  /** What a handler does with one command; runs on a command worker thread. */
  public interface Body {
    CommandResult run(Command command) throws Exception;
  }

  /** A handler for commands named {@code name}; it is as thread-safe as {@code body}. */
  public static CommandHandler named(String name, Body body) {
    return new CommandHandler() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public CommandResult handle(Command command) throws Exception {
        return body.run(command);
      }
    };
  }
}
