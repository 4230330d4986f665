package io.outpost.agent.hardware;

import io.outpost.agent.drivers.Drivers;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.SensorFactory;
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
    return forSensor((SensorFactory) null, simulate, baseDir);
  }

  /**
   * As {@link #forSensor(Options, Path)}, for a built-in type: a register image with no {@code
   * model} gets the one {@code sensorType}'s driver simulates (e.g. {@code sht3x}).
   */
  public static Hardware forSensor(String sensorType, Options simulate, Path baseDir)
      throws ConfigException {
    SensorFactory factory =
        Drivers.all().stream().filter(f -> f.type().equals(sensorType)).findFirst().orElse(null);
    return forSensor(factory, simulate, baseDir);
  }

  /**
   * As {@link #forSensor(Options, Path)} for a sensor {@code factory} makes: a register image with
   * no {@code model} gets the factory's {@link SensorFactory#simulationModel()} (a plugin's own
   * chip model), and {@code "model"} may name the factory's type.
   */
  public static Hardware forSensor(SensorFactory factory, Options simulate, Path baseDir)
      throws ConfigException {
    if (simulate == null || simulate.asMap().isEmpty()) {
      return real();
    }
    return SimulatedHardware.build(simulate, baseDir, factory);
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
