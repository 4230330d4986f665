package com.example.outpost.scd4x;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.I2cModel;
import io.outpost.plugin.Options;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Sensirion SCD40/SCD41 CO2 sensor (photoacoustic NDIR), I2C address 0x62: a plugin built only
 * against the Outpost plugin API. Profile entry:
 *
 * <pre>
 * {"name": "co2", "type": "example.scd4x", "interval": "30s", "bus": 1, "mode": "periodic"}
 * </pre>
 *
 * <p>Options: {@code bus} (default 1), {@code mode} {@code "periodic"} (default; a new value every
 * 5 s, the sensor keeps running) or {@code "single-shot"} (SCD41 only; 5 s per reading, lowest
 * power). Readings: {@code co2} (ppm), {@code temperature} (Cel), {@code humidity} (%RH).
 *
 * <p>Listed in {@code META-INF/services/io.outpost.plugin.SensorFactory}, which is how the agent
 * finds it.
 */
public final class Scd4xFactory implements SensorFactory {
  /** The SCD4x's fixed I2C address. */
  public static final int ADDRESS = 0x62;

  @Override
  public String type() {
    return "example.scd4x";
  }

  @Override
  public String description() {
    return "Sensirion SCD40/SCD41 CO2 (ppm), temperature (Cel), humidity (%RH) on I2C 0x62 (example plugin)";
  }

  @Override
  public Sensor create(SensorContext context) throws ConfigException {
    Options o = context.options();
    o.allowOnly(Set.of("bus", "mode"));
    int bus = (int) o.integer("bus", 1, 0, 255);
    boolean singleShot =
        o.choice("mode", "periodic", List.of("periodic", "single-shot")).equals("single-shot");
    return new Scd4xSensor(context, bus, singleShot);
  }

  /** The chip model the tests use, so simulated profiles run this plugin's register images. */
  @Override
  public Optional<I2cModel> simulationModel() {
    return Optional.of(new Scd4xModel());
  }
}
