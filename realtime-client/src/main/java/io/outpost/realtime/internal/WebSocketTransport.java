package io.outpost.realtime.internal;

import io.outpost.realtime.RealtimeConfig;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.container.jdk.client.JdkClientContainer;
import org.glassfish.tyrus.container.jdk.client.SslEngineConfigurator;
import org.glassfish.tyrus.core.HandshakeException;
import org.tinylog.Logger;

/**
 * Everything Tyrus: one {@link ClientManager} on the JDK container per client, the blocking upgrade
 * and close calls on short-lived I/O threads, and the endpoint that hands socket events to a {@link
 * Sink}. Failure messages name the target and never the credential.
 */
final class WebSocketTransport {

  /**
   * Receives socket events, on Tyrus' or the I/O threads: implementations hand them to the event
   * thread.
   */
  interface Sink {
    void opened(Connection conn);

    void frame(Connection conn, String text);

    void closed(Connection conn, int code, String reason);

    /** The upgrade failed; {@code message} is safe to show (no credential). */
    void failed(Connection conn, String message);
  }

  /**
   * Tyrus' transport threads are shared process-wide; let them go soon after the last socket
   * closed.
   */
  private static final int TRANSPORT_IDLE_SECONDS = 1;

  /**
   * Frames up to this size are read whole; the client's own 1 MB check then drops oversized ones.
   */
  private static final int TRANSPORT_BUFFER_BYTES = 4 * 1024 * 1024;

  /** How long an idle I/O thread waits for the next upgrade or close before it ends. */
  private static final long IO_THREAD_LINGER_SECONDS = 2;

  static {
    TransportLogScrubber.install();
  }

  private final String name;
  private final String target;
  private final Sink sink;
  private final ExecutorService io;
  private final ClientManager manager;

  WebSocketTransport(RealtimeConfig config, String name, int clientId, Sink sink) {
    this.name = name;
    this.target = config.url() + "/v1";
    this.sink = sink;
    AtomicInteger ioThreads = new AtomicInteger();
    // Upgrades and closes are rare: threads exist only while one runs (plus a short linger).
    this.io =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IO_THREAD_LINGER_SECONDS,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t =
                  new Thread(
                      r, "realtime-client-io-" + clientId + "-" + ioThreads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // The Grizzly client container may be on the classpath (via the relay); force the JDK one.
    this.manager = ClientManager.createClient(JdkClientContainer.class.getName());
    manager
        .getProperties()
        .put(
            ClientProperties.HANDSHAKE_TIMEOUT,
            (int) Math.min(Integer.MAX_VALUE, config.timeouts().connect().toMillis()));
    manager.getProperties().put(ClientProperties.INCOMING_BUFFER_SIZE, TRANSPORT_BUFFER_BYTES);
    manager
        .getProperties()
        .put(ClientProperties.SHARED_CONTAINER_IDLE_TIMEOUT, TRANSPORT_IDLE_SECONDS);
    // Tyrus' own per-connection idle timer (0 = "no timeout") still schedules a task on every
    // frame, and each
    // scheduling grows its 10-thread scheduler by a thread. A negative value stops the scheduling;
    // the
    // client's watchdog is the liveness check.
    manager.setDefaultMaxSessionIdleTimeout(-1);
    if (config.url().getScheme().equals("wss")) {
      try {
        SSLContext context =
            TlsSupport.context(config.tls().trustStore(), config.tls().pinnedKeys());
        manager
            .getProperties()
            .put(
                ClientProperties.SSL_ENGINE_CONFIGURATOR,
                new SslEngineConfigurator(context, true, false, false));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "trustStore: cannot build a TLS context: " + e.getMessage(), e);
      }
    }
  }

  /** Starts the upgrade of {@code conn} to {@code uri} in the background. */
  void open(Connection conn, URI uri) {
    try {
      io.execute(() -> upgrade(conn, uri));
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  private void upgrade(Connection conn, URI uri) {
    try {
      manager.connectToServer(
          new TyrusEndpoint(conn), ClientEndpointConfig.Builder.create().build(), uri);
    } catch (Exception e) {
      sink.failed(conn, failureMessage(e, conn.secret));
    }
  }

  /**
   * Writes a text frame without waiting; a failed write is logged, the socket's close reports the
   * rest.
   */
  void send(Connection conn, String text) {
    Session session = conn.session;
    if (session == null) {
      return;
    }
    try {
      session
          .getAsyncRemote()
          .sendText(
              text,
              result -> {
                if (!result.isOK()) {
                  Logger.debug(
                      "{}: write on {} failed: {}",
                      name,
                      conn,
                      Redactor.scrub(Redactor.describe(result.getException()), conn.secret));
                }
              });
    } catch (RuntimeException e) {
      Logger.debug(
          "{}: write on {} rejected: {}", name, conn, Redactor.scrub(e.getMessage(), conn.secret));
    }
  }

  /** Closes the socket in the background (the close handshake may never finish on a dead link). */
  void close(Connection conn, int code, String reason) {
    Session session = conn.session;
    if (session == null) {
      return;
    }
    try {
      io.execute(
          () -> {
            try {
              if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
              }
            } catch (Exception e) {
              Logger.debug(
                  "{}: closing {} failed: {}",
                  name,
                  conn,
                  Redactor.scrub(Redactor.describe(e), conn.secret));
            }
          });
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  /** Stops the I/O threads and the Tyrus client. */
  void shutdown() {
    io.shutdown();
    try {
      manager.shutdown();
    } catch (RuntimeException e) {
      Logger.debug("{}: transport shutdown: {}", name, Redactor.describe(e));
    }
  }

  private String failureMessage(Throwable e, String secret) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TlsSupport.PinMismatchException) {
        return "TLS to " + target + " refused: " + t.getMessage();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return "TLS handshake with "
            + target
            + " failed: "
            + Redactor.scrub(t.getMessage(), secret);
      }
      if (t instanceof HandshakeException h) {
        return "WebSocket upgrade to " + target + " rejected with HTTP " + h.getHttpStatusCode();
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return "cannot connect to " + target + ": " + Redactor.scrub(Redactor.describe(root), secret);
  }

  /** The Tyrus endpoint of one connection. */
  private final class TyrusEndpoint extends Endpoint {
    private final Connection conn;

    TyrusEndpoint(Connection conn) {
      this.conn = conn;
    }

    @Override
    public void onOpen(Session session, EndpointConfig endpointConfig) {
      conn.session = session;
      session.setMaxTextMessageBufferSize(TRANSPORT_BUFFER_BYTES);
      session.addMessageHandler(
          String.class, (MessageHandler.Whole<String>) text -> sink.frame(conn, text));
      sink.opened(conn);
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
      int code = closeReason.getCloseCode().getCode();
      String reason = closeReason.getReasonPhrase() == null ? "" : closeReason.getReasonPhrase();
      conn.socketClosed.complete(null);
      sink.closed(conn, code, reason);
    }

    @Override
    public void onError(Session session, Throwable error) {
      Logger.debug(
          "{}: transport error on {}: {}",
          name,
          conn,
          Redactor.scrub(Redactor.describe(error), conn.secret));
    }
  }
}
