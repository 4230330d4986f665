package io.outpost.plugin;

import java.io.IOException;
import java.util.function.Consumer;

/** A digital input pin. */
public interface GpioInput extends AutoCloseable {

  /** The current (debounced) level: true = high. */
  boolean read() throws IOException;

  /**
   * Registers a listener for debounced level changes; it is called with the new level on a hardware
   * event thread and must not block.
   */
  void onChange(Consumer<Boolean> listener);

  @Override
  void close() throws IOException;
}
