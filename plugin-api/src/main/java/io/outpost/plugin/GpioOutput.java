package io.outpost.plugin;

import java.io.IOException;

/** A digital output pin. */
public interface GpioOutput extends AutoCloseable {

  void set(boolean high) throws IOException;

  /** The level last driven. */
  boolean state();

  @Override
  void close() throws IOException;
}
