package io.outpost.agent.drivers.gpio;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.GpioInput;
import io.outpost.plugin.Hardware.Pull;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A digital input: PIR motion sensor, door/reed contact, push button. Each debounced edge is
 * reported at once through {@link SensorContext#emit} (so a door opening between samples is not
 * missed); each read reports the current state. The reported value is {@code true} when the input
 * is <em>active</em>: high, or low with {@code "activeLow": true} (a contact to ground with a
 * pull-up).
 */
public final class GpioInDriver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          GpioOutDriver.pin(),
          DriverOption.choice(
              "pull", "none", List.of("none", "up", "down"), "internal pull resistor"),
          DriverOption.duration(
              "debounce",
              Duration.ofMillis(20),
              Duration.ofSeconds(10),
              "a change counts once the level is stable this long (at most 10s)"),
          DriverOption.bool("activeLow", false, null, "report `true` when the pin is low"),
          DriverOption.string(
              "quantity",
              "state",
              null,
              "^[^/]+$",
              v -> "must be non-empty and contain no '/'",
              "record name after the sensor's name"),
          DriverOption.choice(
              "edges",
              "both",
              List.of("both", "rising", "falling"),
              "which changes are sent as events (`rising` = becoming active)"));

  private static final List<String> PULLS = List.of("none", "up", "down");
  private static final List<String> EDGES = List.of("both", "rising", "falling");

  @Override
  public String type() {
    return "gpio-in";
  }

  @Override
  public String description() {
    return "Digital input (PIR, door contact, button): debounced edges as events, state on each read";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    Pull pull = Pull.valueOf(v.string("pull").toUpperCase(Locale.ROOT));
    return new GpioInSensor(
        ctx,
        v.integer("pin"),
        pull,
        v.duration("debounce"),
        v.bool("activeLow"),
        v.string("quantity"),
        v.string("edges"));
  }

  private static final class GpioInSensor implements Sensor {
    private final SensorContext ctx;
    private final int pin;
    private final Pull pull;
    private final Duration debounce;
    private final boolean activeLow;
    private final String quantity;
    private final String edges;
    private GpioInput input;

    GpioInSensor(
        SensorContext ctx,
        int pin,
        Pull pull,
        Duration debounce,
        boolean activeLow,
        String quantity,
        String edges) {
      this.ctx = ctx;
      this.pin = pin;
      this.pull = pull;
      this.debounce = debounce;
      this.activeLow = activeLow;
      this.quantity = quantity;
      this.edges = edges;
    }

    @Override
    public synchronized void start() throws IOException {
      close();
      GpioInput in;
      try {
        in = ctx.hardware().gpioInput(pin, pull, debounce);
      } catch (IOException e) {
        throw new IOException(
            "gpio-in on GPIO " + pin + ": claiming the pin failed: " + e.getMessage(), e);
      }
      in.onChange(
          high -> {
            boolean active = high != activeLow;
            if (edges.equals("both") || (edges.equals("rising") == active)) {
              ctx.emit(Reading.bool(quantity, active, ctx.clock().instant()));
            }
          });
      input = in;
    }

    @Override
    public synchronized List<Reading> read() throws IOException {
      if (input == null) {
        throw new IOException("gpio-in on GPIO " + pin + ": not started");
      }
      boolean active = input.read() != activeLow;
      return List.of(Reading.bool(quantity, active, ctx.clock().instant()));
    }

    @Override
    public synchronized void close() {
      if (input != null) {
        try {
          input.close();
        } catch (IOException e) {
          ctx.log().warn("releasing GPIO " + pin + " failed: " + e.getMessage());
        }
        input = null;
      }
    }
  }
}
