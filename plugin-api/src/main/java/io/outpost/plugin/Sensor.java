package io.outpost.plugin;

import java.util.List;

/**
 * One configured sensor instance. Lifecycle (the Telegraf split: check config first, do I/O later):
 *
 * <ol>
 *   <li>{@link SensorFactory#create} validates the options and returns a Sensor without touching
 *       hardware;
 *   <li>{@link #start()} opens the device (probe chip id, reset, read calibration). Called before
 *       the first {@link #read()} and again after a failed read, with backoff;
 *   <li>{@link #read()} takes one measurement. The agent calls it on a sampler thread, never
 *       concurrently with itself, with a per-call timeout;
 *   <li>{@link #close()} releases the device; also called before a restart after a failure.
 * </ol>
 *
 * Failures are thrown, never returned as a missing value: a failed read and "no value" must be
 * distinguishable. Sensors that report events on their own (a door contact) also push readings
 * through {@link SensorContext#emit} between reads.
 */
public interface Sensor extends AutoCloseable {

  /** Opens the hardware. The default does nothing (for sensors that need no setup). */
  default void start() throws Exception {}

  /**
   * Takes one measurement and returns its readings (quantities relative to the sensor's name). May
   * return an empty list when there is nothing to report (an event sensor between edges).
   *
   * @throws Exception when the device could not be read or the value failed a check (CRC, range)
   */
  List<Reading> read() throws Exception;

  /** Releases the hardware. Must be idempotent. */
  @Override
  default void close() throws Exception {}
}
