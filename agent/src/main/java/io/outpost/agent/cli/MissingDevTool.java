package io.outpost.agent.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * Stands in for a development tool ({@code relay}, {@code demo}) whose jars are not on the
 * classpath: lists it in the help and explains where it comes from instead of failing with a
 * class-loading error.
 */
final class MissingDevTool implements CliCommand {
  private final String name;
  private final String summary;

  MissingDevTool(String name, String summary) {
    this.name = name;
    this.summary = summary;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String summary() {
    return summary;
  }

  @Override
  public String help() {
    return "Usage: outpost "
        + name
        + " …\n\n"
        + "A development tool, not part of the device runtime: its jars (the relay, Grizzly,\n"
        + "tyrus-server) are in lib-dev (/usr/share/outpost/lib-dev when installed,\n"
        + "dist/target/outpost/lib-dev in a checkout), which the outpost launcher adds to the\n"
        + "classpath for this command only.\n";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(help());
      return OK;
    }
    err.println(
        "outpost "
            + name
            + ": not available here: the development tools (lib-dev) are not on the classpath;"
            + " run it through the outpost launcher");
    return FAILURE;
  }
}
