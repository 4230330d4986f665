package io.outpost.plugin;

import java.io.IOException;

/**
 * One I2C target. A device that does not answer (NACK, missing) throws {@link IOException}, never
 * returns zeros.
 */
public interface I2cDevice extends AutoCloseable {

  /** Reads one byte from register {@code register} (0..255). */
  int readRegister(int register) throws IOException;

  /**
   * Reads {@code length} consecutive registers starting at {@code register} into {@code buffer}.
   */
  void readRegisters(int register, byte[] buffer, int offset, int length) throws IOException;

  /** Writes one byte to register {@code register}. */
  void writeRegister(int register, int value) throws IOException;

  /** Writes raw bytes (for devices driven by commands, such as the SHT3x's 16-bit commands). */
  void write(byte[] data) throws IOException;

  /** Reads raw bytes (the response to a preceding command). */
  void read(byte[] buffer, int offset, int length) throws IOException;

  @Override
  void close() throws IOException;
}
