package io.outpost.agent.cli;

import io.outpost.agent.internal.Version;
import java.io.PrintStream;
import java.util.List;

/** {@code outpost version}. */
final class VersionCommand implements CliCommand {
  @Override
  public String name() {
    return "version";
  }

  @Override
  public String summary() {
    return "print versions";
  }

  @Override
  public String help() {
    return """
        Usage: outpost version

        Prints the agent version, the Java runtime and the operating system.
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (Args.printedHelpOnly(this, args, out)) {
      return OK;
    }
    out.println("outpost " + Version.agent());
    out.println(
        "java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")");
    out.println(
        "os "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    return OK;
  }
}
