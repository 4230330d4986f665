package io.outpost.log;

import java.text.MessageFormat;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * Sends java.util.logging records (Tyrus, Grizzly, Paho, JNA) to {@link Logger}: SEVERE is ERROR,
 * WARNING is WARN, INFO and CONFIG are INFO, FINE and FINER are DEBUG, FINEST is TRACE. A logger's
 * name selects a {@link Logger#setLevel per-package level}.
 */
public final class JulBridge extends Handler {
  private JulBridge() {}

  /**
   * Replaces the JUL root logger's handlers by this bridge and sets its level from the configured
   * one, so records below it are dropped where they are made.
   */
  public static void install() {
    LogManager.getLogManager().reset();
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.setLevel(julLevel(LogWriter.threshold));
    root.addHandler(new JulBridge());
  }

  @Override
  public void publish(LogRecord record) {
    int level = level(record.getLevel());
    if (!Logger.isEnabled(level, record.getLoggerName())) {
      return;
    }
    String message = record.getMessage();
    Object[] parameters = record.getParameters();
    if (message != null && parameters != null && parameters.length > 0) {
      try {
        message = MessageFormat.format(message, parameters);
      } catch (IllegalArgumentException badPattern) {
        // Keep the pattern as it is: a malformed one must not lose the record.
      }
    }
    LogWriter.write(level, record.getThrown(), message, null);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  static int level(Level level) {
    int v = level.intValue();
    if (v <= Level.FINEST.intValue()) {
      return Logger.TRACE;
    } else if (v <= Level.FINE.intValue()) {
      return Logger.DEBUG;
    } else if (v <= Level.INFO.intValue()) {
      return Logger.INFO;
    } else if (v <= Level.WARNING.intValue()) {
      return Logger.WARN;
    }
    return Logger.ERROR;
  }

  private static Level julLevel(int level) {
    switch (level) {
      case Logger.TRACE:
        return Level.ALL;
      case Logger.DEBUG:
        return Level.FINER;
      case Logger.INFO:
        return Level.CONFIG;
      case Logger.WARN:
        return Level.WARNING;
      case Logger.ERROR:
        return Level.SEVERE;
      default:
        return Level.OFF;
    }
  }
}
