package io.outpost.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** One SLF4J logger: its name, checked against the per-package levels on each call. */
final class Slf4jLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  Slf4jLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return Logger.isEnabled(Logger.TRACE, name);
  }

  @Override
  public boolean isDebugEnabled() {
    return Logger.isEnabled(Logger.DEBUG, name);
  }

  @Override
  public boolean isInfoEnabled() {
    return Logger.isEnabled(Logger.INFO, name);
  }

  @Override
  public boolean isWarnEnabled() {
    return Logger.isEnabled(Logger.WARN, name);
  }

  @Override
  public boolean isErrorEnabled() {
    return Logger.isEnabled(Logger.ERROR, name);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    // SLF4J's levels are 0 (TRACE) to 40 (ERROR) in steps of ten.
    LogWriter.write(
        level.toInt() / 10, throwable, MessageFormatter.basicArrayFormat(pattern, arguments), null);
  }
}
