package io.outpost.plugin.testkit;

import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.PluginLog;
import io.outpost.plugin.Reading;
import io.outpost.plugin.SensorContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A {@link SensorContext} for unit tests: options from a map, {@link FakeHardware} (or any {@link
 * Hardware}), a {@link FakeClock}, and recorders for emitted readings and log lines.
 *
 * <pre>
 * FakeHardware hw = new FakeHardware().withI2c(1, 0x44, chip);
 * TestSensorContext ctx = TestSensorContext.builder("air")
 *     .option("bus", 1).option("address", "0x44").hardware(hw).build();
 * try (Sensor s = new MySensorFactory().create(ctx)) {
 *   s.start();
 *   List&lt;Reading&gt; r = s.read();
 * }
 * </pre>
 */
public final class TestSensorContext implements SensorContext {
  private final String name;
  private final Options options;
  private final Hardware hardware;
  private final Clock clock;
  private final List<Reading> emitted = new ArrayList<>();
  private final List<String> log = new ArrayList<>();

  private TestSensorContext(Builder b) {
    this.name = b.name;
    this.options =
        new Options(b.location == null ? "test: sensor \"" + b.name + "\"" : b.location, b.options);
    this.hardware = b.hardware;
    this.clock = b.clock;
  }

  /**
   * A builder for a sensor called {@code name}; defaults: no options, a new {@link FakeHardware}, a
   * {@link FakeClock}.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Options options() {
    return options;
  }

  @Override
  public Hardware hardware() {
    return hardware;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public synchronized void emit(Reading reading) {
    emitted.add(Objects.requireNonNull(reading, "reading == null"));
    notifyAll();
  }

  /** Readings emitted so far, oldest first. */
  public synchronized List<Reading> emitted() {
    return List.copyOf(emitted);
  }

  /**
   * Waits until at least {@code count} readings were emitted and returns them all.
   *
   * @throws TimeoutException naming how many arrived, when {@code timeout} passes first
   */
  public synchronized List<Reading> awaitEmitted(int count, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (emitted.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(
            "expected "
                + count
                + " emitted readings within "
                + timeout
                + ", got "
                + emitted.size()
                + ": "
                + emitted);
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return List.copyOf(emitted);
  }

  /** Log lines so far, each prefixed with its level ({@code "WARN sensor air: ..."}). */
  public synchronized List<String> logLines() {
    return List.copyOf(log);
  }

  @Override
  public PluginLog log() {
    return new PluginLog() {
      @Override
      public void debug(String message) {
        add("DEBUG", message);
      }

      @Override
      public void info(String message) {
        add("INFO", message);
      }

      @Override
      public void warn(String message) {
        add("WARN", message);
      }

      @Override
      public void error(String message, Throwable cause) {
        add("ERROR", cause == null ? message : message + ": " + cause);
      }
    };
  }

  private synchronized void add(String level, String message) {
    log.add(level + " sensor " + name + ": " + message);
  }

  /** Builds a {@link TestSensorContext}. */
  public static final class Builder {
    private final String name;
    private final Map<String, Object> options = new LinkedHashMap<>();
    private Hardware hardware = new FakeHardware();
    private Clock clock = new FakeClock();
    private String location;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name == null");
    }

    /** Adds one option as a JSON parser would produce it (String, Number, Boolean, List, Map). */
    public Builder option(String key, Object value) {
      options.put(key, value);
      return this;
    }

    /** Adds all of {@code values}. */
    public Builder options(Map<String, ?> values) {
      options.putAll(values);
      return this;
    }

    /**
     * Where the options say they come from in error messages, as the agent sets it, e.g. {@code
     * "office.json: sensors[0] (\"co2\", acme.co2)"}. Default {@code test: sensor "NAME"}.
     */
    public Builder location(String location) {
      this.location = Objects.requireNonNull(location, "location == null");
      return this;
    }

    public Builder hardware(Hardware hardware) {
      this.hardware = Objects.requireNonNull(hardware, "hardware == null");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    public TestSensorContext build() {
      return new TestSensorContext(this);
    }
  }
}
