package io.outpost.plugin;

import java.io.IOException;

/** One SPI chip select. */
public interface SpiDevice extends AutoCloseable {

  /** Full-duplex transfer: clocks out {@code tx} and returns the bytes clocked in (same length). */
  byte[] transfer(byte[] tx) throws IOException;

  @Override
  void close() throws IOException;
}
