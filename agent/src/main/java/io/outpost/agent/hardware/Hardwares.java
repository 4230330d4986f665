package io.outpost.agent.hardware;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import java.nio.file.Path;

/**
 * Chooses the hardware a sensor talks to: real buses and pins, or the simulation its config names.
 */
public final class Hardwares {
  private Hardwares() {}

  /**
   * The hardware for one sensor.
   *
   * @param simulate the sensor's {@code simulate} object (empty when absent): empty gives the real
   *     Pi4J-backed buses and pins (opened lazily, on the sensor's first {@code start()});
   *     otherwise a simulation built from it (docs/simulation.md)
   * @param baseDir the directory relative paths in {@code simulate} are resolved against (the file
   *     that declared the sensor)
   * @throws ConfigException naming the {@code simulate} key and file when a simulation cannot be
   *     built
   */
  public static Hardware forSensor(Options simulate, Path baseDir) throws ConfigException {
    return forSensor(null, simulate, baseDir);
  }

  /**
   * As {@link #forSensor(Options, Path)}, and a register image with no {@code model} gets the one
   * {@code sensorType} needs (e.g. {@code sht3x} for type {@code sht3x}).
   */
  public static Hardware forSensor(String sensorType, Options simulate, Path baseDir)
      throws ConfigException {
    if (simulate == null || simulate.asMap().isEmpty()) {
      return real();
    }
    return SimulatedHardware.build(simulate, baseDir, sensorType);
  }

  /**
   * Releases the real hardware (the Pi4J context and its native handles). Call once at agent
   * shutdown, after every sensor was closed (outputs are already in their safe state then).
   */
  public static void shutdown() {
    Pi4jHardware.INSTANCE.shutdown();
  }

  /** The real buses and pins (one Pi4J context per process, created on first use). */
  public static Hardware real() {
    return Pi4jHardware.INSTANCE;
  }
}
