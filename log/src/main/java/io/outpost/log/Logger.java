package io.outpost.log;

import java.nio.file.Path;

/**
 * The project's logger: static methods with {@code {}} placeholders, one line per entry to standard
 * error or a file, written synchronously by the calling thread. The level check is one field read;
 * a message is only formatted when its level is enabled.
 *
 * <p>The first {@link #configure} call wins, and nothing changes once a line was written: a command
 * run inside another (the relay in {@code outpost relay}, tests) keeps the process's settings. The
 * system properties {@code outpost.log.level} and {@code outpost.log.file} win over what the
 * program configures (tests and benchmarks use them).
 */
public final class Logger {
  public static final int TRACE = 0;
  public static final int DEBUG = 1;
  public static final int INFO = 2;
  public static final int WARN = 3;
  public static final int ERROR = 4;
  public static final int OFF = 5;

  private Logger() {}

  /**
   * Sets the level ({@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or
   * {@code off}), the file appended to ({@code null}: standard error, looked up at each line) and
   * the line layout. Ignored after the first call or once a line was written.
   *
   * @throws IllegalArgumentException for an unknown level
   */
  public static void configure(String level, Path file, Layout layout) {
    LogWriter.configure(parseLevel(level), file, layout);
  }

  /**
   * Sets the level of the loggers (java.util.logging, SLF4J) whose name starts with {@code prefix}
   * (a package, e.g. {@code com.pi4j.boardinfo}). Ignored once a line was written.
   */
  public static void setLevel(String prefix, String level) {
    LogWriter.setLevel(prefix, parseLevel(level));
  }

  /** Whether a line at {@code level} from the logger named {@code name} would be written. */
  public static boolean isEnabled(int level, String name) {
    return level >= LogWriter.threshold && level >= LogWriter.levelOf(name);
  }

  /** The level named {@code name}, case-insensitive. */
  public static int parseLevel(String name) {
    switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "trace":
        return TRACE;
      case "debug":
        return DEBUG;
      case "info":
        return INFO;
      case "warn":
      case "warning":
        return WARN;
      case "error":
        return ERROR;
      case "off":
        return OFF;
      default:
        throw new IllegalArgumentException("unknown log level: " + name);
    }
  }

  public static void trace(String message, Object... args) {
    if (LogWriter.threshold <= TRACE) {
      LogWriter.write(TRACE, null, message, args);
    }
  }

  public static void trace(Throwable t, String message, Object... args) {
    if (LogWriter.threshold <= TRACE) {
      LogWriter.write(TRACE, t, message, args);
    }
  }

  public static void debug(String message, Object... args) {
    if (LogWriter.threshold <= DEBUG) {
      LogWriter.write(DEBUG, null, message, args);
    }
  }

  public static void debug(Throwable t, String message, Object... args) {
    if (LogWriter.threshold <= DEBUG) {
      LogWriter.write(DEBUG, t, message, args);
    }
  }

  public static void info(String message, Object... args) {
    if (LogWriter.threshold <= INFO) {
      LogWriter.write(INFO, null, message, args);
    }
  }

  public static void info(Throwable t, String message, Object... args) {
    if (LogWriter.threshold <= INFO) {
      LogWriter.write(INFO, t, message, args);
    }
  }

  public static void warn(String message, Object... args) {
    if (LogWriter.threshold <= WARN) {
      LogWriter.write(WARN, null, message, args);
    }
  }

  public static void warn(Throwable t, String message, Object... args) {
    if (LogWriter.threshold <= WARN) {
      LogWriter.write(WARN, t, message, args);
    }
  }

  public static void warn(Throwable t) {
    if (LogWriter.threshold <= WARN) {
      LogWriter.write(WARN, t, null, null);
    }
  }

  public static void error(String message, Object... args) {
    if (LogWriter.threshold <= ERROR) {
      LogWriter.write(ERROR, null, message, args);
    }
  }

  public static void error(Throwable t, String message, Object... args) {
    if (LogWriter.threshold <= ERROR) {
      LogWriter.write(ERROR, t, message, args);
    }
  }

  public static void error(Throwable t) {
    if (LogWriter.threshold <= ERROR) {
      LogWriter.write(ERROR, t, null, null);
    }
  }
}
