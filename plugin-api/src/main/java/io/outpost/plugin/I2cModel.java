package io.outpost.plugin;

import java.io.IOException;

/**
 * How a simulated I2C chip answers bus transactions, working on the chip's 256-byte register image.
 * A plugin returns one from {@link SensorFactory#simulationModel()} so that a device profile's
 * {@code "simulate": {"i2c": "chip.hex"}} runs its driver against the same model its unit tests use
 * (with {@code io.outpost.plugin.testkit.RegisterFileI2c}).
 *
 * <p>Every {@link I2cDevice} call reaches the model as the transactions that go over the wire: a
 * write (the bytes after the address byte) and a read of n bytes. {@code readRegisters(r, …)} is a
 * write of {@code [r]} followed by a read; {@code writeRegister(r, v)} is a write of {@code [r,
 * v]}. Calls are serialised by the register file; a model may keep state of its own.
 */
public interface I2cModel {

  /** One write transaction: {@code data} as sent after the address byte (never empty). */
  void onWrite(Registers chip, byte[] data) throws IOException;

  /** One read transaction: fill all of {@code buffer}. */
  void onRead(Registers chip, byte[] buffer) throws IOException;

  /** The register image a model reads and changes. Addresses wrap at 256. */
  interface Registers {
    /** The register's value, 0..255. */
    int get(int register);

    /** Sets one register (the low 8 bits of {@code value}). */
    void set(int register, int value);

    /** The big-endian 16-bit value at {@code register} and {@code register + 1}. */
    int getU16be(int register);

    /** Stores {@code value} big-endian at {@code register} and {@code register + 1}. */
    void setU16be(int register, int value);

    /** The register pointer (the plain register chip's auto-incrementing address). */
    int pointer();

    /** Moves the register pointer. */
    void pointer(int register);
  }
}
