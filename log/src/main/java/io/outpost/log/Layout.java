package io.outpost.log;

/** How a line looks (in the JVM's time zone, followed by the platform's line separator). */
public enum Layout {
  /** {@code 2026-12-01 21:03:10.133 INFO [main] message}: the agent's. */
  DETAILED,
  /**
   * {@code 2026-12-01 21:03:10 INFO: message}: the relay's console, where lines below WARN go to
   * standard output and WARN and ERROR to standard error (when no file is set).
   */
  SHORT
}
