package io.outpost.realtime.internal;

import io.outpost.log.Logger;
import io.outpost.realtime.RealtimeConfig;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An RFC 6455 client on blocking sockets. Each connection has one reader thread, which connects,
 * does the TLS and WebSocket handshakes and then reads frames until the socket ends, and one writer
 * thread ({@link FrameWriter}) that exists while the connection is open and sleeps between frames.
 * Socket events go to a {@link Sink}. Failure messages name the target and never the credential.
 */
final class WebSocketTransport {

  /**
   * Receives socket events on the connection's reader thread: implementations hand them to the
   * event thread.
   */
  interface Sink {
    void opened(Connection conn);

    void frame(Connection conn, String text);

    /** The open socket ended; called once per opened connection. */
    void closed(Connection conn, int code, String reason);

    /** The upgrade failed; {@code message} is safe to show (no credential). */
    void failed(Connection conn, String message);
  }

  /**
   * Inbound messages up to this size are read whole; the client's own 1 MB check then drops
   * oversized ones. Beyond it the connection is closed (1009) without buffering the rest.
   */
  static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /**
   * Outbound text (in characters) allowed to wait for a stalled socket before the connection is
   * dropped; the pacer and the ack timeout normally keep it far below.
   */
  static final long MAX_WRITE_BACKLOG_CHARS = 16L * 1024 * 1024;

  private final String name;
  private final int clientId;
  private final String target;
  private final int connectTimeoutMs;
  private final long closeTimeoutMs;
  private final SSLContext tls;
  private final Sink sink;
  private final EventLoop events;
  private final SecureRandom random;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  WebSocketTransport(
      RealtimeConfig config, String name, int clientId, EventLoop events, Sink sink) {
    this.name = name;
    this.clientId = clientId;
    this.target = config.url() + "/v1";
    this.connectTimeoutMs =
        (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.timeouts().connect().toMillis()));
    this.closeTimeoutMs = Math.max(1, config.timeouts().close().toMillis());
    this.events = events;
    this.sink = sink;
    try {
      // Handshake keys and masking keys: a DRBG seeded once, not a system call per frame.
      this.random = SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no DRBG SecureRandom", e);
    }
    if (config.url().getScheme().equals("wss")) {
      try {
        this.tls = TlsSupport.context(config.tls().trustStore(), config.tls().pinnedKeys());
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "trustStore: cannot build a TLS context: " + e.getMessage(), e);
      }
    } else {
      this.tls = null;
    }
  }

  /** Starts connecting {@code conn} to {@code uri} on the connection's own reader thread. */
  void open(Connection conn, URI uri) {
    if (stopped) {
      return;
    }
    Link link = new Link(conn, uri);
    links.add(link);
    Thread t = new Thread(link::run, "realtime-client-read-" + clientId + "-" + conn.id);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Queues a text frame without waiting; a failed write ends the socket, whose close reports the
   * rest.
   */
  void send(Connection conn, String text) {
    Link link = conn.link;
    if (link != null) {
      link.send(text);
    }
  }

  /**
   * Starts the close handshake; the socket is closed when the server answers, or after the close
   * timeout (a dead link may never answer).
   */
  void close(Connection conn, int code, String reason) {
    Link link = conn.link;
    if (link != null) {
      link.close(code, reason);
    }
  }

  /** Ends every socket at once (the client has waited for the close handshakes it wanted). */
  void shutdown() {
    stopped = true;
    for (Link link : links) {
      link.abort(null);
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
      if (t instanceof Handshake.RejectedException r) {
        return "WebSocket upgrade to " + target + " rejected with HTTP " + r.status;
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return "cannot connect to " + target + ": " + Redactor.scrub(Redactor.describe(root), secret);
  }

  /** One socket, from connect to its end. Its reader thread runs {@link #run}. */
  final class Link {
    private final Connection conn;
    private final URI uri;
    private final AtomicBoolean ended = new AtomicBoolean();

    /** The close frame we sent (ours, or the echo of the server's); set once. */
    private final AtomicReference<CloseFrame> sentClose = new AtomicReference<>();

    private volatile Socket raw;
    private volatile FrameWriter writer;
    private volatile String abortReason;

    Link(Connection conn, URI uri) {
      this.conn = conn;
      this.uri = uri;
    }

    /** Whether the socket is open and has not started closing. */
    boolean isOpen() {
      return writer != null && !ended.get() && sentClose.get() == null;
    }

    void run() {
      DataInputStream in;
      try {
        in = connect();
      } catch (Exception e) {
        abort(null);
        links.remove(this);
        sink.failed(conn, failureMessage(e, conn.secret));
        return;
      }
      Thread w = new Thread(writer, "realtime-client-write-" + clientId + "-" + conn.id);
      w.setDaemon(true);
      w.start();
      conn.link = this;
      sink.opened(conn);
      FrameReader reader = new FrameReader(in, MAX_MESSAGE_BYTES);
      try {
        int code;
        String reason;
        Inbound handler = new Inbound();
        while (reader.next(handler)) {
          // one frame at a time until a close frame
        }
        code = handler.code;
        reason = handler.reason;
        CloseFrame sent = sentClose.get();
        if (sent != null) {
          code = sent.code();
          reason = sent.reason();
        } else {
          startClose(code, reason); // the echo, RFC 6455 §5.5.1
        }
        report(code, reason);
        linger(in);
      } catch (FrameReader.ProtocolException e) {
        Logger.debug("{}: {} broke the protocol: {}", name, conn, e.getMessage());
        startClose(e.code, e.getMessage());
        report(e.code, e.getMessage());
        linger(in);
      } catch (IOException | RuntimeException e) {
        CloseFrame sent = sentClose.get();
        if (sent != null) {
          report(sent.code(), sent.reason());
        } else {
          String why = abortReason;
          report(
              1006,
              why != null
                  ? why
                  : "connection lost: " + Redactor.scrub(Redactor.describe(e), conn.secret));
        }
      } finally {
        abort(null);
        links.remove(this);
      }
    }

    /** TCP, TLS and the upgrade, each bounded by the connect timeout. */
    private DataInputStream connect() throws IOException {
      Socket socket = new Socket();
      raw = socket;
      if (stopped) {
        socket.close();
      }
      String host = uri.getHost();
      boolean secure = tls != null;
      int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
      socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
      socket.setTcpNoDelay(true); // frames are whole writes; an ack must not wait for Nagle
      socket.setSoTimeout(connectTimeoutMs);
      if (secure) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, bare, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(bare)) {
          try {
            parameters.setServerNames(List.of(new SNIHostName(bare)));
          } catch (IllegalArgumentException e) {
            // not a name SNI can carry (e.g. a trailing dot): the JDK's default applies
          }
        }
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        socket = ssl;
      }
      Handshake handshake = new Handshake(random);
      handshake.writeRequest(socket.getOutputStream(), uri);
      InputStream buffered = new BufferedInputStream(socket.getInputStream(), 8192);
      handshake.readResponse(buffered);
      // From here the client's keepalive is the liveness check; it closes the socket.
      socket.setSoTimeout(0);
      writer =
          new FrameWriter(
              socket.getOutputStream(), random, name + " " + conn, () -> abort("write failed"));
      return new DataInputStream(buffered);
    }

    void send(String text) {
      FrameWriter w = writer;
      if (w == null || sentClose.get() != null || ended.get() || abortReason != null) {
        return; // closing or gone: the socket's end reports what was not sent
      }
      if (w.text(text) > MAX_WRITE_BACKLOG_CHARS) {
        Logger.warn(
            "{}: more than {} characters waiting for a stalled socket on {}; dropping it",
            name,
            MAX_WRITE_BACKLOG_CHARS,
            conn);
        abort("write backlog over " + MAX_WRITE_BACKLOG_CHARS + " characters");
      }
    }

    void close(int code, String reason) {
      if (startClose(code, reason)) {
        // Bounded: on a half-open or stalled link the server's close frame never comes.
        try {
          events.schedule(() -> abort(null), closeTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          abort(null);
        }
      }
    }

    /** Queues our close frame once; returns whether this call did. */
    private boolean startClose(int code, String reason) {
      FrameWriter w = writer;
      if (w == null
          || ended.get()
          || !sentClose.compareAndSet(null, new CloseFrame(code, reason))) {
        return false;
      }
      w.close(code, reason);
      return true;
    }

    /** Closes the socket now; the blocked reader and writer threads end with it. */
    void abort(String reason) {
      if (reason != null && abortReason == null) {
        abortReason = reason;
      }
      Socket s = raw;
      if (s != null) {
        try {
          s.close(); // the plain socket: never waits for a TLS close_notify on a stalled link
        } catch (IOException e) {
          // closing anyway
        }
      }
      FrameWriter w = writer;
      if (w != null && ended.get()) {
        w.stop();
      }
    }

    /** Reports the end once, then lets the writer go. */
    private void report(int code, String reason) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      conn.socketClosed.complete(null);
      sink.closed(conn, code, reason);
    }

    /**
     * After the close frames: wait (bounded) for the server to end TCP first, as RFC 6455 §7.1.1
     * prefers, while the writer sends our close frame.
     */
    private void linger(InputStream in) {
      try {
        raw.setSoTimeout((int) Math.min(Integer.MAX_VALUE, closeTimeoutMs));
        byte[] discard = new byte[512];
        while (in.read(discard) >= 0) {
          // frames after a close are ignored
        }
      } catch (SocketTimeoutException e) {
        Logger.debug("{}: {} did not end TCP after the close frames", name, conn);
      } catch (IOException e) {
        // ended
      }
    }

    /** Frames of an open connection, on the reader thread. */
    private final class Inbound implements FrameReader.Handler {
      int code = 1005;
      String reason = "";

      @Override
      public void text(String message) {
        sink.frame(conn, message);
      }

      @Override
      public void binaryDropped(long bytes) {
        Logger.debug("{}: ignored a {}-byte binary message on {}", name, bytes, conn);
      }

      @Override
      public void ping(byte[] payload) {
        if (sentClose.get() == null) {
          writer.pong(payload);
        }
      }

      @Override
      public void close(int closeCode, String closeReason) {
        code = closeCode;
        reason = closeReason;
      }
    }
  }

  private record CloseFrame(int code, String reason) {}

  private static boolean isIpLiteral(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }
}
