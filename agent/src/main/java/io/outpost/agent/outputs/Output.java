package io.outpost.agent.outputs;

import java.io.IOException;

/** One switchable actuator that {@link Outputs} can drive, as registered by its driver. */
public interface Output {
  /** The name commands and status use. */
  String name();

  /** Switches the output; returns the previous state. */
  boolean set(boolean value) throws IOException;

  /** The current state (true = on); null when the output is not running. */
  Boolean state();
}
