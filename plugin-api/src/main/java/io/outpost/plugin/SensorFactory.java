package io.outpost.plugin;

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
}
