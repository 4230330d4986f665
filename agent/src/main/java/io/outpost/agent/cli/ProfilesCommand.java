package io.outpost.agent.cli;

import io.outpost.agent.profiles.Profiles;
import io.outpost.plugin.ConfigException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code outpost profiles}: lists the bundled device profiles. */
final class ProfilesCommand implements CliCommand {
  @Override
  public String name() {
    return "profiles";
  }

  @Override
  public String summary() {
    return "list the bundled device profiles";
  }

  @Override
  public String help() {
    return """
        Usage: outpost profiles

        Prints the name and description of every bundled device profile. Use a name as
        "profile" in agent.json or with outpost sample --profile NAME.

        Options:
          --help   this text
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (Args.printedHelpOnly(this, args, out)) {
      return OK;
    }
    Logging.configure("warn", null);
    List<String> names = Profiles.bundledNames();
    int width = names.stream().mapToInt(String::length).max().orElse(8) + 2;
    boolean broken = false;
    for (String n : names) {
      try {
        out.printf("%-" + width + "s%s%n", n, Profiles.load(n, Path.of("")).description());
      } catch (ConfigException e) {
        err.println(e.getMessage());
        broken = true;
      }
    }
    return broken ? FAILURE : OK;
  }
}
