package io.outpost.plugin;

/**
 * A minimal logger, so plugins need no logging library. Messages are plain text, no format strings.
 */
public interface PluginLog {
  void debug(String message);

  void info(String message);

  void warn(String message);

  /**
   * Logs an error; {@code cause} may be null. Stack traces are kept out of the log at info level.
   */
  void error(String message, Throwable cause);
}
