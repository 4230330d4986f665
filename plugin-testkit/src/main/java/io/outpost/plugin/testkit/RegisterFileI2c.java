package io.outpost.plugin.testkit;

import io.outpost.plugin.I2cDevice;
import io.outpost.plugin.I2cModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A simulated I2C chip: a 256-byte register file plus a {@link I2cModel} of how the chip answers
 * bus transactions. Unlike a FIFO mock, reads return what the registers hold and writes change
 * them, so an unmodified driver runs against it.
 *
 * <p>Every {@link I2cDevice} call is reduced to the two transactions that go over the wire: a
 * <em>write</em> (bytes after the address byte) and a <em>read</em> of n bytes. {@code
 * readRegisters(r, …)} is a write of {@code [r]} followed by a read (a combined transaction with a
 * repeated start on real hardware); {@code writeRegister(r, v)} is a write of {@code [r, v]}. The
 * default model, {@link #REGISTER_POINTER}, is the usual register chip (BME280, BMP280, most
 * sensors): the first written byte sets the register pointer, further bytes are stored from there,
 * and reads return registers from the pointer on, incrementing it. Chips driven by commands (SHT3x,
 * BH1750, ADS1115's 16-bit registers, SCD4x) supply their own {@link I2cModel}.
 *
 * <p>Failure injection: {@link #failWith(IOException)} makes every transaction throw (a NACK, a
 * missing device), {@link #hangFor(long)} makes transactions block (a stuck bus) until interrupted.
 *
 * <p>Thread-safe: all methods are synchronized, except that a hang waits without holding the lock.
 * {@link #close()} does nothing: the chip outlives the handles opened on it.
 */
public final class RegisterFileI2c implements I2cDevice, I2cModel.Registers {

  /** The plain register-pointer chip described in the class comment. */
  public static final I2cModel REGISTER_POINTER =
      new I2cModel() {
        @Override
        public void onWrite(I2cModel.Registers chip, byte[] data) {
          chip.pointer(data[0] & 0xFF);
          for (int i = 1; i < data.length; i++) {
            chip.set(chip.pointer(), data[i]);
            chip.pointer(chip.pointer() + 1);
          }
        }

        @Override
        public void onRead(I2cModel.Registers chip, byte[] buffer) {
          for (int i = 0; i < buffer.length; i++) {
            buffer[i] = (byte) chip.get(chip.pointer());
            chip.pointer(chip.pointer() + 1);
          }
        }

        @Override
        public String toString() {
          return "register-pointer";
        }
      };

  private final byte[] registers = new byte[RegisterImage.SIZE];
  private final I2cModel model;
  private final List<byte[]> writes = new ArrayList<>();
  private int pointer;
  private IOException failure;
  private long hangMillis;

  /** A chip with all registers zero and the {@link #REGISTER_POINTER} model. */
  public RegisterFileI2c() {
    this(new byte[RegisterImage.SIZE], REGISTER_POINTER);
  }

  /** A chip preloaded with {@code image} (at most 256 bytes, the rest zero). */
  public RegisterFileI2c(byte[] image, I2cModel model) {
    Objects.requireNonNull(image, "image == null");
    if (image.length > RegisterImage.SIZE) {
      throw new IllegalArgumentException(
          "image has " + image.length + " bytes, at most 256 allowed");
    }
    System.arraycopy(image, 0, registers, 0, image.length);
    this.model = Objects.requireNonNull(model, "model == null");
  }

  /** A chip loaded from a register image in the {@link RegisterImage} text format. */
  public static RegisterFileI2c fromText(String imageText, I2cModel model) {
    return new RegisterFileI2c(RegisterImage.parse(imageText, "image"), model);
  }

  /** A chip loaded from a register image file in the {@link RegisterImage} text format. */
  public static RegisterFileI2c fromFile(Path file, I2cModel model) throws IOException {
    return new RegisterFileI2c(RegisterImage.read(file), model);
  }

  // ---- register file access, for models and tests ----

  /** The register's value, 0..255. */
  public synchronized int get(int register) {
    return registers[register & 0xFF] & 0xFF;
  }

  /** Sets one register (the low 8 bits of {@code value}). */
  public synchronized void set(int register, int value) {
    registers[register & 0xFF] = (byte) value;
  }

  /** Sets consecutive registers starting at {@code register}. */
  public synchronized void set(int register, byte... values) {
    for (int i = 0; i < values.length; i++) {
      registers[(register + i) & 0xFF] = values[i];
    }
  }

  /** A 16-bit big-endian value stored at {@code register}, {@code register + 1}. */
  public synchronized int getU16be(int register) {
    return (get(register) << 8) | get(register + 1);
  }

  /** Stores a 16-bit value big-endian at {@code register}, {@code register + 1}. */
  public synchronized void setU16be(int register, int value) {
    set(register, value >> 8);
    set(register + 1, value);
  }

  /** A copy of all 256 registers. */
  public synchronized byte[] image() {
    return registers.clone();
  }

  public synchronized int pointer() {
    return pointer;
  }

  /** Sets the register pointer (wraps at 256). */
  public synchronized void pointer(int register) {
    pointer = register & 0xFF;
  }

  public I2cModel model() {
    return model;
  }

  /** Every write transaction so far, oldest first (copies). */
  public synchronized List<byte[]> writes() {
    List<byte[]> copy = new ArrayList<>();
    for (byte[] w : writes) {
      copy.add(w.clone());
    }
    return copy;
  }

  // ---- failure injection ----

  /** Makes every following transaction throw {@code failure}; {@code null} heals the chip. */
  public synchronized void failWith(IOException failure) {
    this.failure = failure;
  }

  /** Makes every transaction throw as a real bus does when nothing acknowledges the address. */
  public void nack() {
    failWith(new IOException("I2C transaction was not acknowledged (NACK)"));
  }

  /**
   * Makes every following transaction block for {@code millis} (0 = heal), like a bus held low by a
   * crashed device. A blocked caller returns early with {@link java.io.InterruptedIOException} when
   * interrupted.
   */
  public synchronized void hangFor(long millis) {
    this.hangMillis = millis;
  }

  // ---- I2cDevice ----

  @Override
  public int readRegister(int register) throws IOException {
    byte[] one = new byte[1];
    readRegisters(register, one, 0, 1);
    return one[0] & 0xFF;
  }

  @Override
  public void readRegisters(int register, byte[] buffer, int offset, int length)
      throws IOException {
    checkRegister(register);
    Objects.checkFromIndexSize(offset, length, buffer.length);
    transactionPreamble();
    synchronized (this) {
      doWrite(new byte[] {(byte) register});
      byte[] tmp = new byte[length];
      model.onRead(this, tmp);
      System.arraycopy(tmp, 0, buffer, offset, length);
    }
  }

  @Override
  public void writeRegister(int register, int value) throws IOException {
    checkRegister(register);
    transactionPreamble();
    synchronized (this) {
      doWrite(new byte[] {(byte) register, (byte) value});
    }
  }

  @Override
  public void write(byte[] data) throws IOException {
    if (data.length == 0) {
      throw new IllegalArgumentException("data is empty");
    }
    transactionPreamble();
    synchronized (this) {
      doWrite(data.clone());
    }
  }

  @Override
  public void read(byte[] buffer, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    transactionPreamble();
    synchronized (this) {
      byte[] tmp = new byte[length];
      model.onRead(this, tmp);
      System.arraycopy(tmp, 0, buffer, offset, length);
    }
  }

  /** Does nothing: the chip keeps its registers for the next handle. */
  @Override
  public void close() {}

  private void doWrite(byte[] data) throws IOException {
    writes.add(data.clone());
    model.onWrite(this, data);
  }

  private void transactionPreamble() throws IOException {
    long hang;
    IOException fail;
    synchronized (this) {
      hang = hangMillis;
      fail = failure;
    }
    if (hang > 0) {
      try {
        Thread.sleep(hang); // simulates a stuck bus: the caller must bound it with its own timeout
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException(
            "interrupted while the simulated I2C bus was stuck");
      }
    }
    if (fail != null) {
      throw new IOException(fail.getMessage(), fail);
    }
  }

  private static void checkRegister(int register) {
    if (register < 0 || register > 0xFF) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "register 0x%X out of range 0x00..0xFF", register));
    }
  }

  @Override
  public String toString() {
    return "RegisterFileI2c[" + model + "]";
  }
}
