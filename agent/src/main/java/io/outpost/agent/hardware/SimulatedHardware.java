package io.outpost.agent.hardware;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.GpioInput;
import io.outpost.plugin.GpioOutput;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.I2cDevice;
import io.outpost.plugin.I2cModel;
import io.outpost.plugin.Options;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.SpiDevice;
import io.outpost.plugin.testkit.FakeHardware;
import io.outpost.plugin.testkit.FakeSysfs;
import io.outpost.plugin.testkit.RegisterFileI2c;
import io.outpost.plugin.testkit.RegisterImage;
import io.outpost.plugin.testkit.ScriptedSpi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the test kit's {@link FakeHardware} from a sensor's {@code "simulate"} object, so the
 * unmodified driver runs against register images, SPI scripts, a fake sysfs root and fake pins. The
 * formats are documented in docs/simulation.md.
 */
final class SimulatedHardware {
  private static final Set<String> KEYS = Set.of("i2c", "spi", "sysfs", "gpio");
  private static final Set<String> I2C_KEYS = Set.of("image", "model", "bus", "address");
  private static final Pattern MODEL_LINE =
      Pattern.compile("(?m)^\\s*#\\s*model:\\s*([A-Za-z0-9_.-]+)");

  /**
   * Toggles simulated inputs ({@code "toggleEvery"}) while a sensor holds them. One daemon thread
   * for the whole process: toggling is a cheap, non-blocking level change, and an idle scheduler
   * costs nothing.
   */
  private static final ScheduledExecutorService TOGGLER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "outpost-sim-gpio");
            t.setDaemon(true);
            return t;
          });

  private SimulatedHardware() {}

  static Hardware build(Options simulate, Path baseDir, SensorFactory factory)
      throws ConfigException {
    simulate.allowOnly(KEYS);
    FakeHardware hw = new FakeHardware();
    Map<Integer, Duration> toggles = new HashMap<>();
    if (simulate.has("i2c")) {
      i2c(simulate, baseDir, factory, hw);
    }
    if (simulate.has("spi")) {
      Path file = file(simulate, "spi", simulate.string("spi"), baseDir, false);
      try {
        hw.withAnySpi(ScriptedSpi.read(file));
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException(simulate.location(), "spi", e.getMessage());
      }
    }
    if (simulate.has("sysfs")) {
      Path dir = file(simulate, "sysfs", simulate.string("sysfs"), baseDir, true);
      hw.withSysfs(FakeSysfs.at(dir));
    }
    if (simulate.has("gpio")) {
      gpio(simulate.object("gpio"), hw, toggles);
    }
    return toggles.isEmpty() ? hw : new Toggling(hw, toggles);
  }

  private static void i2c(Options simulate, Path baseDir, SensorFactory factory, FakeHardware hw)
      throws ConfigException {
    Options spec;
    if (simulate.asMap().get("i2c") instanceof String s) {
      spec = new Options(simulate.location() + ": i2c", Map.of("image", s));
    } else {
      spec = simulate.object("i2c");
      spec.allowOnly(I2C_KEYS);
    }
    Path file = file(spec, "image", spec.string("image"), baseDir, false);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          spec.location(), "image", "cannot read " + file + ": " + e.getMessage());
    }
    String modelName = spec.optString("model").orElse(null);
    if (modelName == null) {
      Matcher m = MODEL_LINE.matcher(text);
      modelName = m.find() ? m.group(1) : null;
    }
    I2cModel model;
    if (modelName == null) {
      model = ChipModels.defaultFor(factory);
    } else {
      String chosen = modelName;
      model =
          ChipModels.create(chosen, factory)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          spec.location(),
                          "model",
                          "\""
                              + chosen
                              + "\" is not a simulation model (expected one of "
                              + ChipModels.names(factory)
                              + ")"));
    }
    RegisterFileI2c chip;
    try {
      chip = new RegisterFileI2c(RegisterImage.parse(text, file.toString()), model);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(spec.location(), "image", e.getMessage());
    }
    if (spec.has("address")) {
      hw.withI2c(
          (int) spec.integer("bus", 1, 0, 255), (int) spec.integer("address", 0, 0x03, 0x77), chip);
    } else {
      hw.withAnyI2c(chip);
    }
  }

  private static void gpio(Options pins, FakeHardware hw, Map<Integer, Duration> toggles)
      throws ConfigException {
    for (Map.Entry<String, Object> e : pins.asMap().entrySet()) {
      int pin;
      try {
        pin = Integer.parseInt(e.getKey());
      } catch (NumberFormatException ex) {
        throw new ConfigException(
            pins.location(), e.getKey(), "expected a BCM pin number such as \"17\"");
      }
      if (pin < 0 || pin > 53) {
        throw new ConfigException(pins.location(), e.getKey(), "BCM pin out of range 0..53");
      }
      if (e.getValue() instanceof Boolean level) {
        hw.gpio().setLevel(pin, level);
        continue;
      }
      Options p = pins.object(e.getKey());
      p.allowOnly(Set.of("level", "toggleEvery"));
      boolean level = p.bool("level", false);
      hw.gpio().setLevel(pin, level);
      Duration every = p.duration("toggleEvery", Duration.ZERO);
      if (!every.isZero()) {
        if (every.toMillis() < 10) {
          throw new ConfigException(p.location(), "toggleEvery", "must be at least 10ms");
        }
        toggles.put(pin, every);
      }
    }
  }

  /**
   * Fake hardware whose scripted inputs toggle while a sensor holds them: toggling starts when the
   * pin is claimed and stops when it is released, so discarded simulations (a config check, a
   * restarted sensor) leave nothing running.
   */
  private static final class Toggling implements Hardware {
    private final FakeHardware hw;
    private final Map<Integer, Duration> toggles;

    Toggling(FakeHardware hw, Map<Integer, Duration> toggles) {
      this.hw = hw;
      this.toggles = Map.copyOf(toggles);
    }

    @Override
    public I2cDevice i2c(int bus, int address) throws IOException {
      return hw.i2c(bus, address);
    }

    @Override
    public SpiDevice spi(int bus, int chipSelect, int speedHz, int mode) throws IOException {
      return hw.spi(bus, chipSelect, speedHz, mode);
    }

    @Override
    public GpioInput gpioInput(int bcmPin, Pull pull, Duration debounce) throws IOException {
      GpioInput in = hw.gpioInput(bcmPin, pull, debounce);
      Duration every = toggles.get(bcmPin);
      if (every == null) {
        return in;
      }
      ScheduledFuture<?> task =
          TOGGLER.scheduleAtFixedRate(
              () -> hw.gpio().setLevel(bcmPin, !hw.gpio().level(bcmPin)),
              every.toMillis(),
              every.toMillis(),
              TimeUnit.MILLISECONDS);
      return new GpioInput() {
        @Override
        public boolean read() throws IOException {
          return in.read();
        }

        @Override
        public void onChange(java.util.function.Consumer<Boolean> listener) {
          in.onChange(listener);
        }

        @Override
        public void close() throws IOException {
          task.cancel(false);
          in.close();
        }
      };
    }

    @Override
    public GpioOutput gpioOutput(int bcmPin, boolean initial) throws IOException {
      return hw.gpioOutput(bcmPin, initial);
    }

    @Override
    public Path path(String absolutePath) {
      return hw.path(absolutePath);
    }
  }

  private static Path file(Options o, String key, String name, Path baseDir, boolean directory)
      throws ConfigException {
    Path p = baseDir.resolve(name).normalize();
    if (directory ? Files.isDirectory(p) : Files.isRegularFile(p)) {
      return p;
    }
    // A bundled profile's fixtures travel inside the agent jar (device-profiles/sim/**).
    Path bundled = BundledFiles.find(name).orElse(null);
    if (bundled != null
        && (directory ? Files.isDirectory(bundled) : Files.isRegularFile(bundled))) {
      return bundled;
    }
    throw new ConfigException(
        o.location(),
        key,
        "\""
            + name
            + "\" is not a "
            + (directory ? "directory" : "file")
            + " (looked for "
            + p
            + " and among the bundled profiles' files)");
  }
}
