package io.outpost.realtime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Tyrus logs the full connect URL (which carries {@code ?token=} / {@code ?key=}) through
 * java.util.logging, e.g. "Connecting to 'wss://…/v1?token=…'" at CONFIG. This filter rewrites
 * every record of the client-side Tyrus loggers so credentials are replaced by {@code <redacted>}
 * before any handler (or a JUL bridge such as tinylog's) sees them.
 */
final class TransportLogScrubber implements Filter {

  /** The client-side Tyrus classes that log; held strongly so JUL keeps our filter installed. */
  private static final String[] LOGGERS = {
    "org.glassfish.tyrus.container.jdk.client.JdkClientContainer",
    "org.glassfish.tyrus.container.jdk.client.ClientFilter",
    "org.glassfish.tyrus.container.jdk.client.TransportFilter",
    "org.glassfish.tyrus.container.jdk.client.SslFilter",
    "org.glassfish.tyrus.container.jdk.client.SslContextConfigurator",
    "org.glassfish.tyrus.client.ClientManager",
    "org.glassfish.tyrus.client.TyrusClientEngine",
    "org.glassfish.tyrus.core.ProtocolHandler",
    "org.glassfish.tyrus.core.TyrusSession",
    "org.glassfish.tyrus.core.TyrusRemoteEndpoint",
    "org.glassfish.tyrus.core.TyrusEndpointWrapper",
    "org.glassfish.tyrus.core.BaseContainer",
    "org.glassfish.tyrus.core.Utils",
  };

  private static final List<Logger> HELD = new ArrayList<>();

  private TransportLogScrubber() {}

  /** Installs the filter once per JVM; idempotent. */
  static synchronized void install() {
    if (!HELD.isEmpty()) {
      return;
    }
    TransportLogScrubber filter = new TransportLogScrubber();
    for (String name : LOGGERS) {
      Logger logger = Logger.getLogger(name);
      logger.setFilter(filter);
      HELD.add(logger);
    }
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    if (record.getMessage() != null) {
      record.setMessage(Redactor.scrub(record.getMessage(), null));
    }
    Object[] params = record.getParameters();
    if (params != null) {
      Object[] scrubbed = new Object[params.length];
      for (int i = 0; i < params.length; i++) {
        scrubbed[i] =
            params[i] instanceof String || params[i] instanceof java.net.URI
                ? Redactor.scrub(String.valueOf(params[i]), null)
                : params[i];
      }
      record.setParameters(scrubbed);
    }
    Throwable thrown = record.getThrown();
    if (thrown != null && containsSecret(thrown)) {
      RuntimeException replacement =
          new RuntimeException(
              thrown.getClass().getName() + ": " + Redactor.scrub(thrown.getMessage(), null));
      replacement.setStackTrace(thrown.getStackTrace());
      record.setThrown(replacement);
    }
    return true;
  }

  private static boolean containsSecret(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (!Redactor.scrub(message, null).equals(message)) {
        return true;
      }
    }
    return false;
  }
}
