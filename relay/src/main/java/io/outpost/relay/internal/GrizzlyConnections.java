package io.outpost.relay.internal;

import io.outpost.log.Logger;
import jakarta.websocket.Session;
import java.lang.reflect.Field;
import org.glassfish.grizzly.Connection;

/**
 * Finds the Grizzly connection under a Tyrus 2.2 server session, so that {@link Outbound} can write
 * pre-encoded frames straight into Grizzly's per-connection write queue. Tyrus has no public API
 * for this, so the path is read reflectively (async remote → {@code TyrusWebSocket} → {@code
 * ProtocolHandler} → {@code GrizzlyWriter} → connection). Any mismatch (another Tyrus version or
 * container) yields null once, and callers keep using Tyrus' own send path: slower, never wrong.
 */
final class GrizzlyConnections {
  private static final Field[] PATH = resolve();

  private GrizzlyConnections() {}

  private static Field[] resolve() {
    try {
      Field webSocket =
          Class.forName("org.glassfish.tyrus.core.TyrusRemoteEndpoint")
              .getDeclaredField("webSocket");
      Field handler =
          Class.forName("org.glassfish.tyrus.core.TyrusWebSocket")
              .getDeclaredField("protocolHandler");
      Field writer =
          Class.forName("org.glassfish.tyrus.core.ProtocolHandler").getDeclaredField("writer");
      Field connection =
          Class.forName("org.glassfish.tyrus.container.grizzly.client.GrizzlyWriter")
              .getDeclaredField("connection");
      Field[] path = {webSocket, handler, writer, connection};
      for (Field f : path) {
        f.setAccessible(true);
      }
      return path;
    } catch (ReflectiveOperationException | RuntimeException e) {
      Logger.info("direct frame writes unavailable ({}); using the Tyrus send path", e.toString());
      return null;
    }
  }

  /** The Grizzly connection carrying {@code session}, or null when it cannot be reached. */
  static Connection<?> of(Session session) {
    if (PATH == null) {
      return null;
    }
    try {
      Object o = session.getAsyncRemote();
      for (Field f : PATH) {
        if (o == null || !f.getDeclaringClass().isInstance(o)) {
          return null;
        }
        o = f.get(o);
      }
      return o instanceof Connection<?> c ? c : null;
    } catch (IllegalAccessException | RuntimeException e) {
      Logger.debug("no Grizzly connection for a session: {}", e.toString());
      return null;
    }
  }
}
