package io.outpost.plugin;

import java.util.Optional;

/**
 * Creates sensors of one type. Built-in drivers and plugins alike are factories; a plugin jar lists
 * its factories in {@code META-INF/services/io.outpost.plugin.SensorFactory}.
 */
public interface SensorFactory {

  /** The {@code type} a profile uses, lower case, e.g. {@code "bme280"} or {@code "acme.co2"}. */
  String type();

  /** One line for {@code outpost profiles} and docs. */
  String description();

  /**
   * Validates {@code context.options()} and returns a sensor that has not touched hardware yet.
   *
   * @throws ConfigException naming the option, its value and what was expected
   */
  Sensor create(SensorContext context) throws ConfigException;

  /**
   * A fresh behaviour model of this type's I2C chip, for simulated profiles: a sensor of this type
   * whose {@code "simulate"} register image names no other {@code model} runs against it. Empty
   * (the default) means the plain register-pointer chip. Return the model your tests use.
   */
  default Optional<I2cModel> simulationModel() {
    return Optional.empty();
  }
}
