package io.outpost.relay;

import io.outpost.log.Logger;
import io.outpost.relay.dashboard.Dashboard;
import io.outpost.relay.dashboard.DashboardHandler;
import io.outpost.relay.internal.ApiException;
import io.outpost.relay.internal.Connection;
import io.outpost.relay.internal.Frames;
import io.outpost.relay.internal.Hub;
import io.outpost.relay.internal.RelayEndpoint;
import io.outpost.relay.internal.RestHandler;
import io.outpost.relay.internal.TextFrame;
import io.outpost.relay.internal.Tokens;
import io.outpost.relay.internal.UpgradeGate;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * A running relay: the Metered Realtime Messaging protocol (WebSocket {@code /v1}) and its REST
 * control plane ({@code /v1/...}) on one port, as protocol.md describes. Start with {@link
 * #start(RelaySettings)}; stop with {@link #shutdown()} or {@link #close()}. All methods are
 * thread-safe.
 *
 * <pre>{@code
 * try (Relay relay = Relay.start(RelaySettings.builder().listen(new InetSocketAddress("127.0.0.1", 0)).build())) {
 *   String jwt = relay.mintToken(TokenRequest.builder("peer-1").build());
 *   URI ws = URI.create(relay.webSocketOrigin() + "/v1?token=" + jwt);
 * }
 * }</pre>
 */
public final class Relay implements AutoCloseable {
  /** How long {@link #shutdown()} waits for clients to complete the close handshake. */
  private static final long CLOSE_GRACE_MILLIS = 2000;

  /** Largest single socket read. */
  private static final int READ_BUFFER_BYTES = 64 * 1024;

  private final RelaySettings settings;
  private final Hub hub;
  private final HttpServer server;
  private final TyrusServerContainer container;
  private final RelayEndpoint endpoint;
  private final UpgradeGate gate;
  private final ScheduledExecutorService timer;
  private final ExecutorService output;
  private final int port;
  private final String host;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private Dashboard dashboard;

  private Relay(
      RelaySettings settings,
      Hub hub,
      HttpServer server,
      TyrusServerContainer container,
      RelayEndpoint endpoint,
      UpgradeGate gate,
      ScheduledExecutorService timer,
      ExecutorService output,
      int port) {
    this.gate = gate;
    this.settings = settings;
    this.hub = hub;
    this.server = server;
    this.container = container;
    this.endpoint = endpoint;
    this.timer = timer;
    this.output = output;
    this.port = port;
    this.host = settings.listen().getHostString();
  }

  /**
   * Binds and starts serving. Returns once the port accepts connections.
   *
   * @throws IOException when the address cannot be bound (the message names it)
   */
  public static Relay start(RelaySettings settings) throws IOException {
    Clock clock = Clock.systemUTC();
    Hub hub = new Hub();
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "relay-timer");
              t.setDaemon(true);
              return t;
            });
    // Writes of queued frames (see Outbound); one thread per core so that a fan-out from one
    // publisher spreads.
    ExecutorService output =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            new ThreadFactory() {
              private final AtomicInteger next = new AtomicInteger();

              @Override
              public Thread newThread(Runnable r) {
                Thread t = new Thread(r, "relay-output-" + next.incrementAndGet());
                t.setDaemon(true);
                return t;
              }
            });
    RelayEndpoint endpoint = new RelayEndpoint(settings, hub, timer, output, clock);
    TyrusServerContainer container = new EmbeddedContainer(settings.maxMessageSize());
    HttpServer server = new HttpServer();
    InetSocketAddress listen = settings.listen();
    NetworkListener listener =
        new NetworkListener("relay", listen.getHostString(), listen.getPort());
    TCPNIOTransport transport = listener.getTransport();
    // A restarted relay must get its fixed port back at once, while old sockets sit in TIME_WAIT.
    transport.setReuseAddress(true);
    transport.setIOStrategy(WorkerThreadIOStrategy.getInstance());
    transport.setTcpNoDelay(true);
    // Bounds what one read hands to Tyrus (see EmbeddedContainer's incoming buffer).
    transport.setReadBufferSize(READ_BUFFER_BYTES);
    // Upgraded WebSockets stay on the HTTP keep-alive machinery; liveness is the relay's own
    // ping/idle check.
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
    // Credentials travel in the query string; a JWT with 4 KB peerMetadata and 8 KB metadata is ~17
    // KB of URL.
    listener.setMaxHttpHeaderSize(64 * 1024);
    UpgradeGate gate = new UpgradeGate(settings);
    listener.registerAddOn(gate); // first, so that its filter runs before Tyrus'
    listener.registerAddOn(new WebSocketAddOn(container, ""));
    server.addListener(listener);
    RestHandler rest = new RestHandler(settings, hub, clock);
    Dashboard dashboard =
        settings.keys().firstSecretKey().map(k -> new Dashboard(k, clock)).orElse(null);
    if (dashboard == null) {
      server.getServerConfiguration().addHttpHandler(rest, "/");
    } else {
      hub.setPublishTap(dashboard::onPublish);
      DashboardHandler pages = new DashboardHandler(dashboard, hub, settings.keys(), clock);
      // One handler at the root: Grizzly's mapping cannot give "/" alone to the page.
      server
          .getServerConfiguration()
          .addHttpHandler(
              new HttpHandler() {
                @Override
                public void service(Request request, Response response) throws Exception {
                  (DashboardHandler.serves(request.getRequestURI()) ? pages : rest)
                      .service(request, response);
                }
              },
              "/");
    }
    server.getServerConfiguration().setJmxEnabled(false);
    try {
      container.register(endpoint.config());
      container.doneDeployment();
      server.start();
    } catch (DeploymentException e) {
      timer.shutdownNow();
      output.shutdownNow();
      throw new IllegalStateException("registering the /v1 endpoint failed", e);
    } catch (IOException e) {
      timer.shutdownNow();
      output.shutdownNow();
      server.shutdownNow();
      throw new IOException(
          "binding "
              + listen.getHostString()
              + ":"
              + listen.getPort()
              + " failed: "
              + e.getMessage(),
          e);
    }
    Relay relay =
        new Relay(
            settings, hub, server, container, endpoint, gate, timer, output, listener.getPort());
    relay.dashboard = dashboard;
    relay.startSweeper();
    return relay;
  }

  private void startSweeper() {
    long pingNanos = settings.pingInterval().toNanos();
    long idleNanos = settings.idleTimeout().toNanos();
    long shortest =
        Math.min(
            pingNanos == 0 ? Long.MAX_VALUE : pingNanos,
            idleNanos == 0 ? Long.MAX_VALUE : idleNanos);
    // Check often enough that pings and idle closes are late by at most a quarter of their interval
    // (<= 1 s).
    long periodMillis =
        shortest == Long.MAX_VALUE
            ? 1000
            : Math.max(20, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(shortest) / 4));
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            sweep(pingNanos, idleNanos);
          } catch (RuntimeException e) {
            Logger.error(e, "keepalive sweep failed");
          }
        },
        periodMillis,
        periodMillis,
        TimeUnit.MILLISECONDS);
  }

  private void sweep(long pingNanos, long idleNanos) {
    long now = System.nanoTime();
    for (Connection c : hub.connections()) {
      if (idleNanos > 0 && now - c.lastSeenNanos() >= idleNanos) {
        Logger.info(
            "{}: silent for {} ms, closing with 4000",
            c.peerId(),
            TimeUnit.NANOSECONDS.toMillis(now - c.lastSeenNanos()));
        c.close(4000, "idle timeout");
      } else if (pingNanos > 0 && now - c.lastPingNanos() >= pingNanos) {
        c.ping(now);
      }
    }
    gate.purge();
  }

  /** The bound port (the real one when {@code listen} asked for port 0). */
  public int port() {
    return port;
  }

  /** {@code ws://HOST:PORT}; clients append {@code /v1} (as Metered's SDK does). */
  public URI webSocketOrigin() {
    return URI.create("ws://" + hostForUri() + ":" + port);
  }

  /** {@code http://HOST:PORT/v1}, the REST base. */
  public URI httpBase() {
    return URI.create("http://" + hostForUri() + ":" + port + "/v1");
  }

  private String hostForUri() {
    String h = host;
    if (h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0")) {
      h = "127.0.0.1";
    }
    return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
  }

  /**
   * The fleet dashboard's address, with a login code in the fragment ({@code #login=…}, never sent
   * to a server): {@code operator} links may send commands, the others only watch. Empty when the
   * relay has no secret key to mint page tokens with.
   */
  public Optional<URI> dashboardUrl(boolean operator) {
    if (dashboard == null) {
      return Optional.empty();
    }
    return Optional.of(
        URI.create(
            "http://" + hostForUri() + ":" + port + "/#login=" + dashboard.loginCode(operator)));
  }

  /** The settings this relay runs with. */
  public RelaySettings settings() {
    return settings;
  }

  /**
   * The first secret key pair: {@code id()} and {@code secret()}, or {@code bearer()} for REST.
   *
   * @throws IllegalStateException when the keys have no secret key
   */
  public RelayKey secretKey() {
    return settings
        .keys()
        .firstSecretKey()
        .orElseThrow(
            () -> new IllegalStateException("no secret key configured (only publishable keys)"));
  }

  /**
   * Mints a connect JWT with {@link #secretKey()}, applying the same rules as {@code POST
   * /v1/tokens}.
   *
   * @throws IllegalArgumentException naming the field when the request breaks a rule (peerId,
   *     scope, sizes, ttl)
   */
  public String mintToken(TokenRequest request) {
    try {
      return Tokens.mint(secretKey(), request, Clock.systemUTC().instant()).token();
    } catch (ApiException e) {
      throw new IllegalArgumentException(e.code() + ": " + e.getMessage());
    }
  }

  /**
   * Closes every socket of {@code peerId} with 4020, as {@code DELETE /v1/peers/{peerId}}; returns
   * how many.
   */
  public int kick(String peerId) {
    return RestHandler.kick(hub, peerId);
  }

  /**
   * Test hook: sends {@code text} verbatim as a text frame to every socket of {@code peerId}, to
   * see how clients cope with frames a real server would not send.
   *
   * @return sockets it was sent to
   */
  public int sendRaw(String peerId, String text) {
    List<Connection> connections = hub.connectionsOf(peerId);
    connections.forEach(c -> c.send(text));
    return connections.size();
  }

  /**
   * peerIds with at least one open connection. A closed socket is forgotten on the relay's own
   * thread right after its close, so a peer may still be listed for a moment after a kick or
   * disconnect (wait with a deadline).
   */
  public Set<String> connectedPeers() {
    return hub.peerIds();
  }

  /**
   * Graceful stop: {@code going_away} to every socket, close 1001, wait up to 2 s for the close
   * handshakes, then stop listening. Idempotent.
   */
  public void shutdown() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    endpoint.shuttingDown();
    List<Connection> connections = hub.connections();
    String goingAway = Frames.goingAway(settings.goingAwayRetryAfter().toMillis());
    byte[] goingAwayFrame = TextFrame.encode(goingAway); // one encoding shared by every socket
    for (Connection c : connections) {
      c.send(goingAway, goingAwayFrame);
      c.close(1001, "server shutting down");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
    while (hub.concurrentNow() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10); // polling a counter with a deadline; nothing to latch on in Tyrus
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    timer.shutdownNow();
    server.shutdownNow();
    output.shutdownNow();
    container.stop();
    Logger.info(
        "relay on port {} stopped ({} connection(s) told to go away)", port, connections.size());
  }

  /** Same as {@link #shutdown()}. */
  @Override
  public void close() {
    shutdown();
  }

  /** A Tyrus server container whose HTTP side is our own Grizzly server. */
  private static final class EmbeddedContainer extends TyrusServerContainer {
    private final WebSocketEngine engine;

    EmbeddedContainer(int maxMessageSize) {
      super((Set<Class<?>>) null);
      // FrameGuard drops every frame over the cap before Tyrus sees it, so Tyrus buffers at most
      // one frame's remainder (cap + header) plus one read; its own 1011 "Buffer overflow" is
      // never reached.
      this.engine =
          TyrusWebSocketEngine.builder(this)
              .incomingBufferSize(maxMessageSize + 14 + READ_BUFFER_BYTES + 1024)
              .build();
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
      ((TyrusWebSocketEngine) engine).register(endpointClass, "");
    }

    @Override
    public void register(ServerEndpointConfig config) throws DeploymentException {
      ((TyrusWebSocketEngine) engine).register(config, "");
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
      return engine;
    }

    @Override
    public java.util.Map<String, Object> getProperties() {
      return java.util.Map.of();
    }
  }
}
