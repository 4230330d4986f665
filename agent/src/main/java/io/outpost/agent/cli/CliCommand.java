package io.outpost.agent.cli;

import java.io.PrintStream;
import java.util.List;

/** One {@code outpost} sub-command. */
public interface CliCommand {
  /** Exit codes shared by every command. */
  int OK = 0;

  int FAILURE = 1;
  int USAGE = 2;

  String name();

  /** One line for {@code outpost --help}. */
  String summary();

  /** The full help text for {@code outpost <command> --help}. */
  String help();

  /**
   * Runs the command.
   *
   * @return the process exit code
   */
  int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
