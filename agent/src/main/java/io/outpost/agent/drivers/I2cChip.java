package io.outpost.agent.drivers;

import io.outpost.plugin.Hardware;
import io.outpost.plugin.I2cDevice;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Locale;

/**
 * An opened I2C device as the built-in drivers use it: every failure becomes an {@link IOException}
 * that names the part, the address, the step and a hint, so a log line alone tells the user where
 * to look. Not thread-safe (a sensor is read by one thread at a time).
 */
public final class I2cChip implements AutoCloseable {
  public static final String HINT =
      "is I2C enabled (raspi-config)? is the device wired and powered? "
          + "is the address right (i2cdetect -y BUS)?";

  private final String part;
  private final int bus;
  private final int address;
  private final I2cDevice device;

  private I2cChip(String part, int bus, int address, I2cDevice device) {
    this.part = part;
    this.bus = bus;
    this.address = address;
    this.device = device;
  }

  /** Opens {@code address} on {@code bus}; a missing bus or device fails here with the hint. */
  public static I2cChip open(Hardware hw, String part, int bus, int address) throws IOException {
    try {
      return new I2cChip(part, bus, address, hw.i2c(bus, address));
    } catch (IOException e) {
      throw new IOException(
          where(part, bus, address) + ": opening the device failed: " + e.getMessage() + hint(e),
          e);
    }
  }

  /**
   * What a driver does to a freshly opened chip before it counts as started (identify, reset,
   * configure).
   */
  public interface SetUp {
    void run(I2cChip chip) throws IOException;
  }

  /**
   * Opens the device and runs {@code setUp} on it. When the set-up fails the device is closed
   * again, so a failed {@code start()} never leaves a bus handle open.
   */
  public static I2cChip openAndSetUp(Hardware hw, String part, int bus, int address, SetUp setUp)
      throws IOException {
    I2cChip c = open(hw, part, bus, address);
    try {
      setUp.run(c);
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Fails a read of a sensor whose {@code chip} is not open (never started, or closed). */
  public static void requireStarted(I2cChip chip, String part, int bus, int address)
      throws IOException {
    if (chip == null) {
      throw new IOException(where(part, bus, address) + ": not started");
    }
  }

  public static String hex(int address) {
    return String.format(Locale.ROOT, "0x%02X", address);
  }

  public static String where(String part, int bus, int address) {
    return part + " at " + hex(address) + " on I2C bus " + bus;
  }

  public String where() {
    return where(part, bus, address);
  }

  public int readRegister(int register, String step) throws IOException {
    try {
      return device.readRegister(register);
    } catch (IOException e) {
      throw failed(step, e);
    }
  }

  public byte[] readRegisters(int register, int length, String step) throws IOException {
    byte[] buf = new byte[length];
    try {
      device.readRegisters(register, buf, 0, length);
    } catch (IOException e) {
      throw failed(step, e);
    }
    return buf;
  }

  public void writeRegister(int register, int value, String step) throws IOException {
    try {
      device.writeRegister(register, value);
    } catch (IOException e) {
      throw failed(step, e);
    }
  }

  public void write(String step, int... bytes) throws IOException {
    byte[] data = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      data[i] = (byte) bytes[i];
    }
    try {
      device.write(data);
    } catch (IOException e) {
      throw failed(step, e);
    }
  }

  public byte[] read(int length, String step) throws IOException {
    byte[] buf = new byte[length];
    try {
      device.read(buf, 0, length);
    } catch (IOException e) {
      throw failed(step, e);
    }
    return buf;
  }

  /** An error about what the device said (wrong id, bad CRC), with the location prefix. */
  public IOException problem(String message) {
    return new IOException(where() + ": " + message);
  }

  private IOException failed(String step, IOException e) {
    if (e instanceof InterruptedIOException) {
      InterruptedIOException ie =
          new InterruptedIOException(where() + ": " + step + " was interrupted (bus stuck?)");
      ie.initCause(e);
      return ie;
    }
    return new IOException(where() + ": " + step + " failed: " + e.getMessage() + hint(e), e);
  }

  private static String hint(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("raspi-config") ? "" : "; " + HINT;
  }

  /** Waits for a conversion the datasheet times; interruption ends the read. */
  public static void pause(long millis) throws InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the conversion");
    }
  }

  @Override
  public void close() {
    try {
      device.close();
    } catch (IOException e) {
      // Closing a handle cannot be retried and loses nothing; the next start() opens a new one.
    }
  }
}
