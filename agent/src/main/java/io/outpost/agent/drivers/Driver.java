package io.outpost.agent.drivers;

import io.outpost.plugin.SensorFactory;
import java.util.List;

/**
 * A built-in driver: a sensor factory that declares its options as data, so the option check, the
 * profile schema and the docs table come from one list.
 */
public interface Driver extends SensorFactory {

  /** The options this driver takes (besides the agent's own keys). */
  DriverOptions options();

  /**
   * The names a register image's {@code model} may use for {@link #simulationModel()}: the type,
   * plus any part names (e.g. {@code sht31}).
   */
  default List<String> modelNames() {
    return List.of(type());
  }
}
