package io.outpost.agent.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --name value}, {@code --name=value} and {@code --flag} options; nothing else is
 * accepted.
 */
public final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final boolean help;

  /** Thrown for usage errors; the message is printed as is, followed by a pointer to --help. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  /**
   * @param withValue options that take a value
   * @param flags options without a value
   */
  public Args(String command, List<String> args, Set<String> withValue, Set<String> flags)
      throws UsageException {
    boolean h = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        h = true;
        continue;
      }
      if (!a.startsWith("--")) {
        throw new UsageException("outpost " + command + ": unexpected argument \"" + a + "\"");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name)) {
        if (value != null) {
          throw new UsageException("outpost " + command + ": --" + name + " takes no value");
        }
        values.put(name, "true");
      } else if (withValue.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new UsageException("outpost " + command + ": --" + name + " needs a value");
          }
          value = args.get(++i);
        }
        if (values.containsKey(name)) {
          throw new UsageException("outpost " + command + ": --" + name + " given twice");
        }
        values.put(name, value);
      } else {
        throw new UsageException("outpost " + command + ": unknown option --" + name);
      }
    }
    this.help = h;
  }

  /**
   * Parses the arguments of a command that takes no options: any argument but {@code --help} is a
   * usage error.
   *
   * @return true when {@code --help} was given; the command's help has then been printed to {@code
   *     out}
   */
  static boolean printedHelpOnly(CliCommand command, List<String> args, PrintStream out)
      throws UsageException {
    if (new Args(command.name(), args, Set.of(), Set.of()).help()) {
      out.print(command.help());
      return true;
    }
    return false;
  }

  public boolean help() {
    return help;
  }

  public String get(String name) {
    return values.get(name);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }
}
