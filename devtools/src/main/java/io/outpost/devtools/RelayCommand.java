package io.outpost.devtools;

import io.outpost.agent.cli.CliCommand;
import io.outpost.agent.cli.Logging;
import io.outpost.relay.RelayMain;
import java.io.PrintStream;
import java.util.List;

/** {@code outpost relay …}: runs the local relay (its own options and help). */
public final class RelayCommand implements CliCommand {
  @Override
  public String name() {
    return "relay";
  }

  @Override
  public String summary() {
    return "run the local relay (outpost relay --help for its options)";
  }

  @Override
  public String help() {
    return "Usage: outpost relay [--listen HOST:PORT] [--keys FILE] (see outpost relay --help)\n";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    Logging.configure("info", null);
    return RelayMain.run(args.toArray(new String[0]));
  }
}
