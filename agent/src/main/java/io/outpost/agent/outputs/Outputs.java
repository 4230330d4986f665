package io.outpost.agent.outputs;

import io.outpost.plugin.Command;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;
import io.outpost.plugin.ConfigException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The switchable outputs ({@code gpio-out} sensors) of one agent, and the {@code output.set}
 * command that switches them. An output is <em>declared</em> when its sensor is created and
 * <em>attached</em> while it runs (between a successful {@code start()} and {@code close()}).
 *
 * <p>Agent wiring: create one {@code Outputs}, pass it to {@link Drivers#all(Outputs)} when
 * building the sensor registry, register {@link #commandHandler()} with the command router, and put
 * {@link #states()} into status. Thread-safe.
 */
public final class Outputs {
  private final Set<String> declared = new LinkedHashSet<>();
  private final Map<String, Output> attached = new LinkedHashMap<>();

  public synchronized void declare(String name) {
    declared.add(name);
  }

  public synchronized void attach(Output output) throws IOException {
    Output other = attached.get(output.name());
    if (other != null && other != output) {
      throw new IOException(
          "output name \"" + output.name() + "\" is already used by another running gpio-out");
    }
    attached.put(output.name(), output);
  }

  public synchronized void detach(Output output) {
    attached.remove(output.name(), output);
  }

  /**
   * Every declared output's current state: true/false, or null when it is not running (failed or
   * stopped).
   */
  public Map<String, Boolean> states() {
    Map<String, Output> snapshot = new LinkedHashMap<>();
    synchronized (this) {
      declared.forEach(name -> snapshot.put(name, attached.get(name)));
    }
    // Asked outside this lock: an output holds its own lock while it attaches here.
    Map<String, Boolean> out = new TreeMap<>();
    snapshot.forEach((name, o) -> out.put(name, o == null ? null : o.state()));
    return out;
  }

  /**
   * Switches output {@code name}.
   *
   * @return the previous state
   * @throws ConfigException when no output of that name was declared (names the known ones)
   * @throws IOException when the output is declared but not running, or the pin could not be driven
   */
  public boolean set(String name, boolean value) throws ConfigException, IOException {
    Output o;
    synchronized (this) {
      if (!declared.contains(name)) {
        throw new ConfigException(
            "output.set",
            "output",
            "\"" + name + "\" is not an output of this device (outputs: " + declared + ")");
      }
      o = attached.get(name);
    }
    if (o == null) {
      throw new IOException(
          "output \"" + name + "\" is not running (its start failed or the agent is stopping)");
    }
    return o.set(value);
  }

  /**
   * The {@code output.set} handler: args {@code {"output": NAME, "value": BOOLEAN}}; result {@code
   * {"output": NAME, "value": NEW, "previous": OLD}}. A missing or wrong argument or an unknown
   * output is {@code rejected}; an output that is down or a pin that fails is {@code failed}.
   */
  public CommandHandler commandHandler() {
    return new CommandHandler() {
      @Override
      public String name() {
        return "output.set";
      }

      @Override
      public CommandResult handle(Command command) throws ConfigException {
        command.args().allowOnly(Set.of("output", "value"));
        String name = command.args().string("output");
        boolean value = command.args().bool("value");
        try {
          boolean previous = set(name, value);
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("output", name);
          result.put("value", value);
          result.put("previous", previous);
          return CommandResult.succeeded(result);
        } catch (IOException e) {
          return CommandResult.failed("output_failed", e.getMessage());
        }
      }
    };
  }
}
