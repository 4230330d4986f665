package io.outpost.plugin;

import java.time.Clock;

/** What a sensor is given: its name, its options, hardware access, a clock, and an event sink. */
public interface SensorContext {

  /**
   * The sensor's name from the profile, e.g. {@code "env"}; records are published as {@code
   * env/<quantity>}.
   */
  String name();

  /**
   * The sensor's entry in the profile (merged with the config's per-sensor overrides), minus the
   * keys the agent itself handles ({@code name}, {@code type}, {@code interval}, {@code deadband},
   * {@code minInterval}, {@code maxInterval}, {@code simulate}).
   */
  Options options();

  /**
   * Buses and pins, real or simulated; the sensor never opens {@code /dev} or {@code /sys} itself.
   */
  Hardware hardware();

  Clock clock();

  /** Reports readings that happened between reads (edges, events). Thread-safe; never blocks. */
  void emit(Reading reading);

  /** A logger that prefixes the sensor's name. */
  PluginLog log();
}
