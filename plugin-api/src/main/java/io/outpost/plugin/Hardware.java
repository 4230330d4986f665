package io.outpost.plugin;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The narrow door to buses and pins. On a device the agent implements it with Pi4J (linuxfs for
 * I2C/SPI, gpiod for GPIO); in tests and on simulated profiles it is backed by register images, SPI
 * scripts, a fake sysfs tree and mock GPIO (see {@code io.outpost.plugin.testkit}).
 */
public interface Hardware {

  /** Opens I2C device {@code address} (7-bit) on bus {@code bus} ({@code /dev/i2c-<bus>}). */
  I2cDevice i2c(int bus, int address) throws IOException;

  /**
   * Opens SPI {@code /dev/spidev<bus>.<chipSelect>} at {@code speedHz} in SPI mode {@code mode}
   * (0..3).
   */
  SpiDevice spi(int bus, int chipSelect, int speedHz, int mode) throws IOException;

  /** Claims a BCM GPIO pin as an input. {@code debounce} of zero means none. */
  GpioInput gpioInput(int bcmPin, Pull pull, Duration debounce) throws IOException;

  /** Claims a BCM GPIO pin as an output, driven to {@code initial} at once. */
  GpioOutput gpioOutput(int bcmPin, boolean initial) throws IOException;

  /**
   * Resolves a sysfs/procfs path such as {@code "/sys/bus/w1/devices"} or {@code "/proc/loadavg"}:
   * unchanged on a device, under a fake root in simulation.
   */
  Path path(String absolutePath);

  /** Pull resistor for inputs. */
  enum Pull {
    NONE,
    UP,
    DOWN
  }
}
