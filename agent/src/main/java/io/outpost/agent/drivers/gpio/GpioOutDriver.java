package io.outpost.agent.drivers.gpio;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.agent.outputs.Output;
import io.outpost.agent.outputs.Outputs;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.GpioOutput;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.util.List;

/**
 * A digital output (relay, LED, pump) that the {@code output.set} command switches. Its declared
 * {@code safeState} is driven when the agent starts the output and again when it stops (shutdown,
 * restart after a failure), so a crash-free stop never leaves a pump running. Each read reports the
 * current state as {@code state} (true = on). With {@code "activeLow": true} (most relay boards) on
 * drives the pin low.
 */
public final class GpioOutDriver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          pin(),
          DriverOption.string(
              "output",
              null,
              "the sensor's name",
              ".",
              v -> "must not be empty",
              "name the `output.set` command uses"),
          DriverOption.bool(
              "safeState",
              null,
              "missing: declare the state the output takes at start and shutdown"
                  + " (false = off, true = on)",
              "state at start, at shutdown and after a failure (`true` = on)"),
          DriverOption.bool("activeLow", false, null, "on drives the pin low (most relay boards)"));

  /** The BCM pin both GPIO drivers take. */
  static DriverOption pin() {
    return DriverOption.requiredInteger(
        "pin",
        0,
        27,
        "out of range, expected a BCM pin 0..27 of the 40-pin header",
        "BCM GPIO number (not the header pin number)");
  }

  private final Outputs outputs;

  /**
   * @param outputs where started outputs are registered for {@code output.set}
   */
  public GpioOutDriver(Outputs outputs) {
    this.outputs = outputs;
  }

  @Override
  public String type() {
    return "gpio-out";
  }

  @Override
  public String description() {
    return "Digital output (relay, LED) switched by the output.set command, with a safe state at start and stop";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    int pin = v.integer("pin");
    String name = v.string("output") == null ? ctx.name() : v.string("output");
    boolean safe = v.bool("safeState");
    boolean activeLow = v.bool("activeLow");
    PinOutput out = new PinOutput(ctx, outputs, name, pin, safe, activeLow);
    outputs.declare(name);
    return out;
  }

  /**
   * One output; also the object {@link Outputs} switches. Thread-safe: commands and reads may
   * overlap.
   */
  static final class PinOutput implements Sensor, Output {
    private final SensorContext ctx;
    private final Outputs registry;
    private final String name;
    private final int pin;
    private final boolean safe;
    private final boolean activeLow;
    private GpioOutput gpio;
    private boolean on;

    PinOutput(
        SensorContext ctx,
        Outputs registry,
        String name,
        int pin,
        boolean safe,
        boolean activeLow) {
      this.ctx = ctx;
      this.registry = registry;
      this.name = name;
      this.pin = pin;
      this.safe = safe;
      this.activeLow = activeLow;
    }

    private String where() {
      return "gpio-out \"" + name + "\" on GPIO " + pin;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public synchronized void start() throws IOException {
      close();
      try {
        gpio = ctx.hardware().gpioOutput(pin, safe != activeLow);
      } catch (IOException e) {
        throw new IOException(where() + ": claiming the pin failed: " + e.getMessage(), e);
      }
      on = safe;
      ctx.log()
          .info("output " + name + " started in its safe state (" + (safe ? "on" : "off") + ")");
      try {
        registry.attach(this);
      } catch (IOException e) {
        close();
        throw e;
      }
    }

    /** Switches the output; returns the previous state. */
    @Override
    public synchronized boolean set(boolean value) throws IOException {
      if (gpio == null) {
        throw new IOException(where() + ": not started");
      }
      boolean previous = on;
      try {
        gpio.set(value != activeLow);
      } catch (IOException e) {
        throw new IOException(where() + ": switching failed: " + e.getMessage(), e);
      }
      on = value;
      return previous;
    }

    /** The current state (true = on); null when the output is not running. */
    @Override
    public synchronized Boolean state() {
      return gpio == null ? null : on;
    }

    @Override
    public synchronized List<Reading> read() throws IOException {
      if (gpio == null) {
        throw new IOException(where() + ": not started");
      }
      return List.of(Reading.bool("state", on, ctx.clock().instant()));
    }

    @Override
    public synchronized void close() {
      if (gpio == null) {
        return;
      }
      registry.detach(this);
      try {
        gpio.set(safe != activeLow);
        on = safe;
        ctx.log()
            .info("output " + name + " stopped in its safe state (" + (safe ? "on" : "off") + ")");
      } catch (IOException e) {
        ctx.log().error("driving " + where() + " to its safe state failed", e);
      }
      try {
        gpio.close();
      } catch (IOException e) {
        ctx.log().warn("releasing GPIO " + pin + " failed: " + e.getMessage());
      }
      gpio = null;
    }
  }
}
