package io.outpost.agent.cli;

import io.outpost.agent.config.ConfigLoader;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The {@code outpost} command line (architecture.md §3). Exit codes: 0 ok, 1 runtime failure, 2
 * invalid usage or configuration ({@code run} also exits 75 when {@code agent.restart} asks for a
 * restart).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /**
   * {@code relay} and {@code demo} are development tools: they live in the outpost-devtools jar
   * (lib-dev, beside the device's lib), so the daemon's classpath carries no relay, Grizzly or
   * tyrus-server. They are found with {@link ServiceLoader} when lib-dev is on the classpath (the
   * launchers add it for these two commands only); otherwise the command says how to get them.
   */
  private static CliCommand devTool(String name, String summary) {
    for (CliCommand c : ServiceLoader.load(CliCommand.class)) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return new MissingDevTool(name, summary);
  }

  /** Runs one command; never throws, never prints a stack trace for a user error. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    ConfigLoader loader = ConfigLoader.system();
    Map<String, CliCommand> commands = new LinkedHashMap<>();
    for (CliCommand c :
        List.of(
            new RunCommand(loader),
            devTool(
                "demo",
                "start a local relay and three simulated agents; show their telemetry live"),
            new CheckCommand(loader),
            new SampleCommand(loader),
            new ProfilesCommand(),
            new HealthCommand(loader),
            new AttachmentCommand(),
            devTool("relay", "run the local relay (outpost relay --help for its options)"),
            new VersionCommand())) {
      commands.put(c.name(), c);
    }
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      PrintStream to = args.length == 0 ? err : out;
      to.println("Usage: outpost <command> [options]   (outpost <command> --help for its options)");
      to.println();
      commands.values().forEach(c -> to.printf("  %-9s %s%n", c.name(), c.summary()));
      to.println();
      to.println("Exit codes: 0 ok, 1 runtime failure, 2 invalid usage or configuration.");
      return args.length == 0 ? CliCommand.USAGE : CliCommand.OK;
    }
    if (args[0].equals("--version")) {
      args = new String[] {"version"};
    }
    CliCommand c = commands.get(args[0]);
    if (c == null) {
      err.println(
          "outpost: unknown command \""
              + args[0]
              + "\" (commands: "
              + String.join(", ", commands.keySet())
              + ")");
      return CliCommand.USAGE;
    }
    try {
      return c.run(Arrays.asList(args).subList(1, args.length), out, err);
    } catch (Args.UsageException e) {
      err.println(e.getMessage());
      err.println("Try: outpost " + c.name() + " --help");
      return CliCommand.USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CliCommand.FAILURE;
    } catch (Exception | LinkageError e) {
      // A bug, not a user error: one line, with the type, so it can be reported.
      err.println("outpost " + c.name() + ": internal error: " + e);
      return CliCommand.FAILURE;
    }
  }
}
