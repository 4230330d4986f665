package io.outpost.plugin.testkit;

import io.outpost.plugin.GpioInput;
import io.outpost.plugin.GpioOutput;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.I2cDevice;
import io.outpost.plugin.SpiDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Hardware} made of the test kit's fakes: {@link RegisterFileI2c} chips at bus addresses,
 * {@link ScriptedSpi} chips at chip selects, a {@link FakeSysfs} root and {@link FakeGpio} pins.
 *
 * <pre>
 * FakeHardware hw = new FakeHardware()
 *     .withI2c(1, 0x76, RegisterFileI2c.fromFile(Path.of("bme280.hex"), RegisterFileI2c.REGISTER_POINTER));
 * </pre>
 *
 * <p>Opening an address with no chip throws {@link IOException} the way a missing device does. Each
 * open returns a fresh handle on the same chip, so a sensor that closes and restarts finds the
 * registers as it left them; {@link #openHandles()} counts handles not yet closed, for leak checks.
 * Without a sysfs root, {@link #path} maps into a directory that does not exist, so reads fail with
 * {@link java.nio.file.NoSuchFileException}. Thread-safe.
 */
public final class FakeHardware implements Hardware {
  private final Map<Long, RegisterFileI2c> i2c = new HashMap<>();
  private final Map<Long, ScriptedSpi> spi = new HashMap<>();
  private final FakeGpio gpio;
  private final AtomicInteger openHandles = new AtomicInteger();
  private RegisterFileI2c anyI2c;
  private FakeSysfs sysfs;

  /** Fake hardware whose GPIO debounce runs on the system clock. */
  public FakeHardware() {
    this(Clock.systemUTC());
  }

  /** Fake hardware whose GPIO debounce runs on {@code clock}. */
  public FakeHardware(Clock clock) {
    this.gpio = new FakeGpio(clock);
  }

  /** Puts {@code chip} at {@code address} on {@code bus}. */
  public synchronized FakeHardware withI2c(int bus, int address, RegisterFileI2c chip) {
    i2c.put(key(bus, address), Objects.requireNonNull(chip, "chip == null"));
    return this;
  }

  /**
   * Puts {@code chip} at every address of every bus not otherwise taken (for one-sensor
   * simulations).
   */
  public synchronized FakeHardware withAnyI2c(RegisterFileI2c chip) {
    anyI2c = Objects.requireNonNull(chip, "chip == null");
    return this;
  }

  /** Puts {@code chip} on {@code /dev/spidev<bus>.<chipSelect>}. */
  public synchronized FakeHardware withSpi(int bus, int chipSelect, ScriptedSpi chip) {
    spi.put(key(bus, chipSelect), Objects.requireNonNull(chip, "chip == null"));
    return this;
  }

  /** Puts {@code chip} on every SPI bus and chip select not otherwise taken. */
  public synchronized FakeHardware withAnySpi(ScriptedSpi chip) {
    spi.put(-1L, Objects.requireNonNull(chip, "chip == null"));
    return this;
  }

  /** Uses {@code root} for {@link #path}. */
  public synchronized FakeHardware withSysfs(FakeSysfs root) {
    sysfs = Objects.requireNonNull(root, "root == null");
    return this;
  }

  public FakeGpio gpio() {
    return gpio;
  }

  /** Handles opened by {@link #i2c} or {@link #spi} and not yet closed. */
  public int openHandles() {
    return openHandles.get();
  }

  @Override
  public synchronized I2cDevice i2c(int bus, int address) throws IOException {
    RegisterFileI2c chip = i2c.getOrDefault(key(bus, address), anyI2c);
    if (chip == null) {
      throw new IOException(
          String.format(
              Locale.ROOT, "no I2C device answers at 0x%02X on bus %d (simulated)", address, bus));
    }
    openHandles.incrementAndGet();
    return new I2cHandle(chip);
  }

  @Override
  public synchronized SpiDevice spi(int bus, int chipSelect, int speedHz, int mode)
      throws IOException {
    if (mode < 0 || mode > 3) {
      throw new IllegalArgumentException("SPI mode " + mode + " out of range 0..3");
    }
    ScriptedSpi chip = spi.getOrDefault(key(bus, chipSelect), spi.get(-1L));
    if (chip == null) {
      throw new IOException(
          "no SPI device on /dev/spidev" + bus + "." + chipSelect + " (simulated)");
    }
    openHandles.incrementAndGet();
    return new SpiHandle(chip);
  }

  @Override
  public GpioInput gpioInput(int bcmPin, Pull pull, Duration debounce) throws IOException {
    return gpio.input(bcmPin, pull, debounce);
  }

  @Override
  public GpioOutput gpioOutput(int bcmPin, boolean initial) throws IOException {
    return gpio.output(bcmPin, initial);
  }

  @Override
  public synchronized Path path(String absolutePath) {
    if (sysfs == null) {
      return Path.of("/no-sysfs-in-this-simulation").resolve(absolutePath.replaceFirst("^/+", ""));
    }
    return sysfs.path(absolutePath);
  }

  private static long key(int bus, int address) {
    return ((long) bus << 32) | (address & 0xFFFFFFFFL);
  }

  /** One open handle: refuses use after close, counts itself in {@link #openHandles}. */
  private final class I2cHandle implements I2cDevice {
    private final RegisterFileI2c chip;
    private boolean closed;

    I2cHandle(RegisterFileI2c chip) {
      this.chip = chip;
    }

    private RegisterFileI2c chip() throws IOException {
      synchronized (this) {
        if (closed) {
          throw new IOException("I2C device handle is closed");
        }
      }
      return chip;
    }

    @Override
    public int readRegister(int register) throws IOException {
      return chip().readRegister(register);
    }

    @Override
    public void readRegisters(int register, byte[] buffer, int offset, int length)
        throws IOException {
      chip().readRegisters(register, buffer, offset, length);
    }

    @Override
    public void writeRegister(int register, int value) throws IOException {
      chip().writeRegister(register, value);
    }

    @Override
    public void write(byte[] data) throws IOException {
      chip().write(data);
    }

    @Override
    public void read(byte[] buffer, int offset, int length) throws IOException {
      chip().read(buffer, offset, length);
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        openHandles.decrementAndGet();
      }
    }
  }

  private final class SpiHandle implements SpiDevice {
    private final ScriptedSpi chip;
    private boolean closed;

    SpiHandle(ScriptedSpi chip) {
      this.chip = chip;
    }

    @Override
    public byte[] transfer(byte[] tx) throws IOException {
      synchronized (this) {
        if (closed) {
          throw new IOException("SPI device handle is closed");
        }
      }
      return chip.transfer(tx);
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        openHandles.decrementAndGet();
      }
    }
  }
}
