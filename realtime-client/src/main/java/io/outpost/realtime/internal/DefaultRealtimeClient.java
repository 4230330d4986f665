package io.outpost.realtime.internal;

import com.google.gson.JsonElement;
import io.outpost.log.Logger;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.ConnectFailedException;
import io.outpost.realtime.DirectMessage;
import io.outpost.realtime.InvalidArgumentException;
import io.outpost.realtime.NotConnectedException;
import io.outpost.realtime.PresenceChange;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.RealtimeException;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.Roster;
import io.outpost.realtime.ServerError;
import io.outpost.realtime.State;
import io.outpost.realtime.SubscribeOptions;
import io.outpost.realtime.Welcome;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's state machine. Every field below the constructor is owned by the single event
 * thread; public methods only post work to it. Blocking transport work (connecting, reading,
 * writing) runs on each connection's own threads so the event thread never waits on the network.
 */
public final class DefaultRealtimeClient implements RealtimeClient {

  /** A failed subscribe replay is retried this often, this far apart (SDK values). */
  private static final int REPLAY_MAX_RETRIES = 3;

  private static final long REPLAY_RETRY_DELAY_MS = 2_000;

  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  /**
   * Inbound text (in characters) allowed to wait for the event thread before the connection is
   * dropped.
   */
  static final long MAX_INBOUND_BACKLOG_CHARS = 16L * 1024 * 1024;

  private final RealtimeConfig config;
  private final RealtimeListener listener;
  private final String name;
  private final EventLoop events;
  private final WebSocketTransport transport;
  private final Backoff backoff;
  private final Rosters rosters = new Rosters();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final AtomicInteger connectionIds = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong inboundBacklog =
      new java.util.concurrent.atomic.AtomicLong();
  private final AtomicInteger inboundOverflows = new AtomicInteger();
  private final CredentialSource credentials;
  private final RequestPipeline requests;
  private final TokenRefresher refresher;

  private volatile State stateView = State.IDLE;
  private volatile Welcome welcomeView;
  private volatile int queuedView;
  private volatile Set<String> subscriptionsView = Set.of();
  private volatile boolean closing;

  // ---- event-thread state ----
  private State state = State.IDLE;
  private Connection current;
  private Connection candidate;
  private final List<Connection> draining = new ArrayList<>();
  private final Map<String, SubscribeOptions> subscriptions = new LinkedHashMap<>();
  private int attempts;
  private boolean everConnected;
  private long nextDelayFloorMs;
  private int maxMessageSize = Limits.DEFAULT_MAX_MESSAGE_SIZE;
  private int epoch;
  private ScheduledFuture<?> reconnectTimer;
  private final List<ScheduledFuture<?>> replayTimers = new ArrayList<>();
  private CompletableFuture<Welcome> connectFuture;

  public DefaultRealtimeClient(RealtimeConfig config, RealtimeListener listener) {
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.listener = java.util.Objects.requireNonNull(listener, "listener");
    int clientId = CLIENT_IDS.incrementAndGet();
    this.name = "realtime-client-" + clientId;
    this.events = new EventLoop("realtime-client-events-" + clientId);
    this.backoff =
        new Backoff(
            config.reconnect().initialDelay().toMillis(),
            config.reconnect().multiplier(),
            config.reconnect().maxDelay().toMillis(),
            config.reconnect().jitter(),
            new SecureRandom());
    this.transport =
        new WebSocketTransport(
            config,
            name,
            clientId,
            events,
            new WebSocketTransport.Sink() {
              @Override
              public void opened(Connection conn) {
                onEvents(() -> onOpened(conn));
              }

              @Override
              public void frame(Connection conn, String text) {
                // Transport thread. Bound what waits for the event thread: a listener that cannot
                // keep up
                // with the server costs the connection (and a reconnect), never unbounded memory.
                if (conn.inboundOverflow) {
                  return;
                }
                if (inboundBacklog.addAndGet(text.length()) > MAX_INBOUND_BACKLOG_CHARS) {
                  inboundBacklog.addAndGet(-text.length());
                  conn.inboundOverflow = true;
                  inboundOverflows.incrementAndGet();
                  onEvents(
                      () -> {
                        Logger.warn(
                            "{}: more than {} characters of inbound frames waiting for the listener; "
                                + "closing {} (1008) and reconnecting",
                            name,
                            MAX_INBOUND_BACKLOG_CHARS,
                            conn);
                        loseLocally(conn, 1008, "client cannot keep up", null);
                      });
                  return;
                }
                onEvents(
                    () -> {
                      inboundBacklog.addAndGet(-text.length());
                      onFrame(conn, text);
                    });
              }

              @Override
              public void closed(Connection conn, int code, String reason) {
                onEvents(() -> connectionLost(conn, code, reason, null));
              }

              @Override
              public void failed(Connection conn, String message) {
                onEvents(
                    () -> {
                      Logger.debug("{}: {} failed: {}", name, conn, message);
                      connectionLost(
                          conn, 1006, message, new ConnectFailedException(message, 1006));
                    });
              }
            });
    this.credentials =
        new CredentialSource(
            config.credentials(),
            config.timeouts().tokenProvider(),
            events,
            (failures, scrubbed) ->
                fire(() -> listener.onTokenProviderFailure(failures, scrubbed)));
    this.requests =
        new RequestPipeline(
            events,
            transport,
            config.timeouts().ack(),
            config.limits().maxQueuedRequests(),
            new RequestPipeline.Host() {
              @Override
              public List<Connection> connections() {
                return allConnections();
              }

              @Override
              public void settled(Connection conn) {
                closeDrainedIfIdle(conn);
              }

              @Override
              public void queueChanged(Connection conn, int queued) {
                if (conn == current) {
                  queuedView = queued;
                }
              }
            });
    this.refresher =
        new TokenRefresher(
            credentials.renewable(),
            config.timeouts().tokenRefreshLead(),
            events,
            () -> {
              if (state == State.CONNECTED && candidate == null && !closing) {
                Logger.debug("{}: refreshing the token with a second connection", name);
                openConnection(true);
              }
            });
  }

  // =====================================================================================
  // Public API: post to the event thread.
  // =====================================================================================

  @Override
  public CompletableFuture<Welcome> connect() {
    CompletableFuture<Welcome> result = new CompletableFuture<>();
    post(
        result,
        () -> {
          if (state != State.IDLE && state != State.CLOSED) {
            result.completeExceptionally(
                new IllegalStateException(
                    "connect() is allowed only in IDLE or CLOSED, the client is " + state));
            return;
          }
          connectFuture = result;
          attempts = 0;
          everConnected = false;
          nextDelayFloorMs = 0;
          openConnection(false);
        });
    return result;
  }

  @Override
  public CompletableFuture<Void> subscribe(String channel, SubscribeOptions options) {
    SubscribeOptions opts = options == null ? SubscribeOptions.DEFAULT : options;
    CompletableFuture<Void> result = new CompletableFuture<>();
    post(
        result,
        () -> {
          Limits.checkChannel(channel);
          SubscribeOptions previous =
              subscriptions.put(channel, opts); // never null values: null = untracked
          // Tracked before sending (SDK): a subscribe whose ack is lost to a drop is still
          // replayed.
          publishSubscriptions();
          try {
            enqueue(
                "subscribe",
                channel,
                id -> FrameCodec.subscribe(channel, opts.includeSenderMetadata(), id),
                result);
          } catch (RuntimeException e) {
            // The frame never left: do not keep a subscription the caller was told failed.
            if (previous == null) {
              subscriptions.remove(channel);
            } else {
              subscriptions.put(channel, previous);
            }
            publishSubscriptions();
            throw e;
          }
        });
    return result;
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String channel) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    post(
        result,
        () -> {
          Limits.checkChannel(channel);
          // Forgotten before sending: an unsubscribe lost to a drop must not be replayed as a
          // subscribe.
          subscriptions.remove(channel);
          rosters.remove(channel);
          publishSubscriptions();
          enqueue("unsubscribe", channel, id -> FrameCodec.unsubscribe(channel, id), result);
        });
    return result;
  }

  @Override
  public CompletableFuture<Void> publish(String channel, JsonElement data) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    // Serialised here, on the caller's thread: the caller may change or reuse the element as soon
    // as this returns, and the event thread never reads it.
    String json = serialize(data, result);
    if (json != null) {
      postPublish(channel, json, result);
    }
    return result;
  }

  @Override
  public CompletableFuture<Void> publishJson(String channel, String json) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    // Checked here, on the caller's thread, without building a tree: the text goes into the frame
    // as it is.
    if (!FrameCodec.isJsonValue(json)) {
      result.completeExceptionally(
          new InvalidArgumentException("data is not exactly one JSON value"));
      return result;
    }
    postPublish(channel, json, result);
    return result;
  }

  /** Hands an encoded publish to the event thread, which checks the channel and queues it. */
  private void postPublish(String channel, String json, CompletableFuture<Void> result) {
    post(
        result,
        () -> {
          Limits.checkChannel(channel);
          enqueue("publish", channel, id -> FrameCodec.publish(channel, json, id), result);
        });
  }

  @Override
  public CompletableFuture<Void> send(String peerId, JsonElement data) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    String json = serialize(data, result);
    if (json != null) {
      post(
          result,
          () -> {
            Limits.checkPeerId(peerId);
            enqueue("send", peerId, id -> FrameCodec.send(peerId, json, id), result);
          });
    }
    return result;
  }

  /** The JSON text of {@code data}, or {@code null} after failing {@code result}. */
  private static String serialize(JsonElement data, CompletableFuture<Void> result) {
    if (data == null) {
      result.completeExceptionally(
          new InvalidArgumentException(
              "data must not be null (use JsonNull.INSTANCE for a JSON null)"));
      return null;
    }
    return FrameCodec.json(data);
  }

  @Override
  public State state() {
    return stateView;
  }

  @Override
  public Welcome welcome() {
    return welcomeView;
  }

  @Override
  public Set<String> subscriptions() {
    return subscriptionsView;
  }

  @Override
  public Roster roster(String channel) {
    return rosters.get(channel);
  }

  @Override
  public int queuedRequests() {
    return queuedView;
  }

  /**
   * Diagnostics: how many connections were dropped because the listener could not keep up. Any
   * thread.
   */
  public int inboundOverflows() {
    return inboundOverflows.get();
  }

  @Override
  public String toString() {
    return name + "[" + stateView + ", " + config.url() + "]";
  }

  /**
   * Runs {@code work} on the event thread; a thrown {@link RealtimeException} fails {@code result}.
   */
  private void post(CompletableFuture<?> result, Runnable work) {
    if (closing) {
      result.completeExceptionally(new NotConnectedException("client closed"));
      return;
    }
    try {
      events.execute(
          () -> {
            if (closing) {
              result.completeExceptionally(new NotConnectedException("client closed"));
              return;
            }
            try {
              work.run();
            } catch (RealtimeException e) {
              result.completeExceptionally(e);
            } catch (RuntimeException e) {
              Logger.error(e, "{}: unexpected failure", name);
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new NotConnectedException("client closed"));
    }
  }

  private void publishSubscriptions() {
    subscriptionsView = Set.copyOf(subscriptions.keySet());
  }

  // =====================================================================================
  // Requests, pacing, acks.
  // =====================================================================================

  private void enqueue(
      String type,
      String target,
      java.util.function.Function<String, String> build,
      CompletableFuture<Void> result) {
    Connection conn = current;
    if (state != State.CONNECTED || conn == null || !conn.welcomed) {
      throw new NotConnectedException("not connected (state " + state + ")");
    }
    requests.submit(conn, maxMessageSize, type, target, build, result);
  }

  // =====================================================================================
  // Connecting.
  // =====================================================================================

  private void transition(State next) {
    if (state == next) {
      return;
    }
    State from = state;
    state = next;
    stateView = next;
    fire(() -> listener.onStateChange(from, next));
  }

  private void openConnection(boolean refresh) {
    int myEpoch = refresh ? epoch : ++epoch;
    if (!refresh) {
      transition(attempts > 0 ? State.RECONNECTING : State.CONNECTING);
    }
    credentials
        .next()
        .whenComplete(
            (secret, error) -> {
              if (closing || myEpoch != epoch || (refresh && state != State.CONNECTED)) {
                return;
              }
              if (error != null) {
                Throwable cause = unwrap(error);
                credentials.failed(cause);
                String message =
                    "token provider failed: " + Redactor.scrub(Redactor.describe(cause), null);
                if (refresh) {
                  Logger.warn("{}: token refresh failed: {}", name, message);
                  refresher.retryLater();
                } else {
                  attemptFailed(null, 1006, message, new ConnectFailedException(message, 1006));
                }
                return;
              }
              credentials.succeeded();
              Connection conn =
                  new Connection(
                      connectionIds.incrementAndGet(),
                      refresh,
                      secret,
                      new TokenBucket(
                          config.limits().sendRate(),
                          config.limits().sendBurst(),
                          System.nanoTime()));
              if (refresh) {
                candidate = conn;
              } else {
                current = conn;
              }
              URI uri = credentials.connectUri(config.url(), secret);
              Logger.debug("{}: opening {} to {}/v1", name, conn, config.url());
              transport.open(conn, uri);
            });
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Runs on the event thread unless the client is gone. */
  private void onEvents(Runnable work) {
    try {
      events.execute(work);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void onOpened(Connection conn) {
    if (conn.lost || closing || (conn != current && conn != candidate)) {
      closeSocket(conn, 1000, "superseded");
      return;
    }
    conn.open = true;
    conn.lastInboundNanos = System.nanoTime();
    conn.lastPingNanos = conn.lastInboundNanos;
    long welcomeMs = config.timeouts().welcome().toMillis();
    conn.welcomeTimer =
        events.schedule(
            () -> {
              if (!conn.welcomed && !conn.lost) {
                String message = "no welcome within " + welcomeMs + " ms";
                Logger.warn("{}: {} on {}; closing it", name, message, conn);
                loseLocally(
                    conn, 4000, "welcome timeout", new ConnectFailedException(message, 4000));
              }
            },
            welcomeMs,
            TimeUnit.MILLISECONDS);
    armKeepalive(conn);
  }

  // =====================================================================================
  // Liveness.
  // =====================================================================================

  private void armKeepalive(Connection conn) {
    long inactivityMs = config.timeouts().inactivity().toMillis();
    if (inactivityMs > 0) {
      scheduleKeepalive(conn, Math.min(heartbeatMillis(inactivityMs), inactivityMs));
    }
  }

  /** A ping after this long without traffic: a third of the inactivity limit, at least 1 s. */
  private static long heartbeatMillis(long inactivityMs) {
    return Math.max(1000, inactivityMs / 3);
  }

  private void scheduleKeepalive(Connection conn, long delayMs) {
    conn.keepaliveTimer = events.schedule(() -> keepalive(conn), delayMs, TimeUnit.MILLISECONDS);
  }

  /**
   * One check of the inactivity watchdog and the keepalive ping, set for the moment the next one
   * can be due rather than ticking: inbound traffic (an ack per publish) only moves that moment on,
   * so a busy connection is looked at once per heartbeat.
   */
  private void keepalive(Connection conn) {
    if (conn.lost) {
      return;
    }
    long inactivityMs = config.timeouts().inactivity().toMillis();
    long heartbeatMs = heartbeatMillis(inactivityMs);
    long now = System.nanoTime();
    long idleMs = TimeUnit.NANOSECONDS.toMillis(now - conn.lastInboundNanos);
    if (idleMs >= inactivityMs) {
      Logger.warn(
          "{}: nothing received on {} for {} ms; closing it (4000) and reconnecting",
          name,
          conn,
          idleMs);
      loseLocally(conn, 4000, "inactivity timeout", null);
      return;
    }
    if (conn.welcomed
        && idleMs >= heartbeatMs
        && TimeUnit.NANOSECONDS.toMillis(now - conn.lastPingNanos) >= heartbeatMs) {
      conn.lastPingNanos = now;
      transport.send(conn, FrameCodec.ping());
    }
    long untilDead = inactivityMs - idleMs;
    long untilPing =
        idleMs < heartbeatMs
            ? heartbeatMs - idleMs
            : heartbeatMs - TimeUnit.NANOSECONDS.toMillis(now - conn.lastPingNanos);
    long next = conn.welcomed ? Math.min(untilDead, untilPing) : untilDead;
    // Not sooner than every 250 ms (a ping that cannot be sent yet must not spin).
    scheduleKeepalive(conn, Math.max(250, Math.min(next, untilDead)));
  }

  /**
   * Treats a connection as dead right now (our own watchdog or welcome timeout) and closes its
   * socket in the background: on a half-open link the close handshake may never finish, and we must
   * not wait.
   */
  private void loseLocally(
      Connection conn, int code, String reason, ConnectFailedException failure) {
    connectionLost(conn, code, reason, failure);
    closeSocket(conn, code, reason);
  }

  private void closeSocket(Connection conn, int code, String reason) {
    transport.close(conn, code, reason);
  }

  // =====================================================================================
  // Inbound frames.
  // =====================================================================================

  private void onFrame(Connection conn, String text) {
    if (conn.lost || closing) {
      return;
    }
    if (text.length() > Limits.MAX_INBOUND_FRAME_BYTES / 3
        && FrameCodec.utf8Length(text) > Limits.MAX_INBOUND_FRAME_BYTES) {
      Logger.warn(
          "{}: dropped a {}-character frame on {} (over the 1 MB inbound cap); closing it (1009)",
          name,
          text.length(),
          conn);
      loseLocally(conn, 1009, "frame exceeded client cap", null);
      return;
    }
    conn.lastInboundNanos = System.nanoTime();
    ServerFrame frame = FrameCodec.parse(text);
    if (frame instanceof ServerFrame.Malformed m) {
      Logger.warn(
          "{}: ignored a malformed frame on {} ({}): {}",
          name,
          conn,
          m.reason(),
          Redactor.preview(text, 60));
    } else if (frame instanceof ServerFrame.Welcome w) {
      onWelcome(conn, w);
    } else if (frame instanceof ServerFrame.Ack a) {
      onAck(conn, a);
    } else if (frame instanceof ServerFrame.Error e) {
      onError(conn, e);
    } else if (frame instanceof ServerFrame.Message m) {
      ChannelMessage message =
          new ChannelMessage(
              m.channel(), m.from(), Optional.ofNullable(m.fromMetadata()), m.data());
      fire(() -> listener.onMessage(message));
    } else if (frame instanceof ServerFrame.Direct d) {
      DirectMessage message =
          new DirectMessage(d.from(), Optional.ofNullable(d.fromMetadata()), d.data());
      fire(() -> listener.onDirect(message));
    } else if (frame instanceof ServerFrame.Presence p) {
      onPresence(conn, p);
    } else if (frame instanceof ServerFrame.GoingAway g) {
      if (conn == current) {
        nextDelayFloorMs = Math.max(nextDelayFloorMs, g.retryAfterMs());
        Duration retry = Duration.ofMillis(g.retryAfterMs());
        fire(() -> listener.onGoingAway(retry));
      }
    }
    // Pong: liveness only; lastInboundNanos was updated above.
  }

  private void onWelcome(Connection conn, ServerFrame.Welcome w) {
    if (conn.welcomed) {
      Logger.warn("{}: ignored an unexpected second welcome on {}", name, conn);
      return;
    }
    conn.welcomed = true;
    conn.welcome = w;
    if (conn.welcomeTimer != null) {
      conn.welcomeTimer.cancel(false);
      conn.welcomeTimer = null;
    }
    if (conn == candidate) {
      takeOver(conn);
      return;
    }
    if (conn != current) {
      return;
    }
    boolean isReconnect = everConnected;
    attempts = 0;
    everConnected = true;
    nextDelayFloorMs = 0;
    maxMessageSize = w.maxMessageSize();
    Welcome welcome = toWelcome(w, isReconnect);
    welcomeView = welcome;
    transition(State.CONNECTED);
    Logger.info(
        "{}: connected as {} (maxMessageSize {}, reconnect {})",
        name,
        w.peerId(),
        w.maxMessageSize(),
        isReconnect);
    if (connectFuture != null) {
      CompletableFuture<Welcome> f = connectFuture;
      connectFuture = null;
      f.complete(welcome);
    }
    fire(() -> listener.onConnected(welcome));
    // After a reconnect, and also after connect() following a server-side close (the channels are
    // still
    // tracked and reported by subscriptions(), so they are restored rather than silently dropped).
    if (config.autoResubscribe()) {
      for (String channel : new ArrayList<>(subscriptions.keySet())) {
        replay(conn, channel, 0);
      }
    }
    refresher.planFromWelcome(w.expiresAt(), w.serverTime());
  }

  private static Welcome toWelcome(ServerFrame.Welcome w, boolean reconnect) {
    Optional<Instant> expires =
        w.expiresAt() == null
            ? Optional.empty()
            : Optional.of(Instant.ofEpochMilli((long) (w.expiresAt() * 1000)));
    return new Welcome(
        w.peerId(),
        expires,
        Instant.ofEpochMilli((long) (w.serverTime() * 1000)),
        w.maxMessageSize(),
        w.metadata(),
        reconnect);
  }

  /**
   * Re-sends one subscription on {@code conn}, retrying up to 3 times 2 s apart (SDK
   * autoResubscribe).
   */
  private CompletableFuture<Void> replay(Connection conn, String channel, int retriesUsed) {
    SubscribeOptions opts = subscriptions.get(channel);
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (opts == null || conn.lost) {
      done.complete(null);
      return done;
    }
    conn.replayed.put(channel, opts);
    Request request =
        requests.submitInternal(
            conn,
            "subscribe",
            channel,
            id -> FrameCodec.subscribe(channel, opts.includeSenderMetadata(), id));
    request.future.whenComplete(
        (ok, error) -> {
          if (error == null) {
            done.complete(null);
            return;
          }
          if (conn.lost || error instanceof NotConnectedException || closing) {
            // The next welcome replays everything with a fresh budget.
            done.completeExceptionally(error);
            return;
          }
          if (retriesUsed >= REPLAY_MAX_RETRIES) {
            Logger.warn(
                "{}: re-subscribing {} failed after {} attempts: {}",
                name,
                channel,
                retriesUsed + 1,
                error.getMessage());
            done.completeExceptionally(error);
            return;
          }
          Logger.warn(
              "{}: re-subscribing {} failed ({}); retrying in {} ms",
              name,
              channel,
              error.getMessage(),
              REPLAY_RETRY_DELAY_MS);
          ScheduledFuture<?>[] holder = new ScheduledFuture<?>[1];
          holder[0] =
              events.schedule(
                  () -> {
                    replayTimers.remove(holder[0]);
                    replay(conn, channel, retriesUsed + 1)
                        .whenComplete(
                            (v, e) -> {
                              if (e == null) {
                                done.complete(null);
                              } else {
                                done.completeExceptionally(e);
                              }
                            });
                  },
                  REPLAY_RETRY_DELAY_MS,
                  TimeUnit.MILLISECONDS);
          replayTimers.add(holder[0]);
        });
    return done;
  }

  private void onAck(Connection conn, ServerFrame.Ack ack) {
    requests.ack(conn, ack.requestId());
  }

  private void onError(Connection conn, ServerFrame.Error error) {
    if (requests.error(conn, error.requestId(), error.code(), error.message())) {
      return;
    }
    if (error.code().equals("unknown_type") && error.requestId() == null) {
      // An older server answering our keepalive ping (SDK 1.0.2 behaviour).
      Logger.debug("{}: server does not know JSON ping; ignored", name);
      return;
    }
    ServerError serverError = new ServerError(error.code(), error.message());
    fire(() -> listener.onServerError(serverError));
  }

  private void onPresence(Connection conn, ServerFrame.Presence p) {
    if (conn.draining || !subscriptions.containsKey(p.channel())) {
      conn.awaitingSnapshot.remove(p.channel());
      return;
    }
    boolean snapshot = conn.awaitingSnapshot.remove(p.channel());
    String self = conn.welcome != null ? conn.welcome.peerId() : null;
    PresenceChange change = rosters.apply(p.channel(), p.joined(), p.left(), snapshot, self);
    if (change != null) {
      fire(() -> listener.onPresence(change));
    }
  }

  // =====================================================================================
  // Losing a connection and reconnecting.
  // =====================================================================================

  private void connectionLost(
      Connection conn, int code, String reason, ConnectFailedException failure) {
    if (conn.lost) {
      return;
    }
    conn.lost = true;
    conn.cancelTimers();
    conn.failAll(code, reason);
    if (draining.remove(conn)) {
      return;
    }
    if (conn == candidate) {
      candidate = null;
      Logger.warn(
          "{}: refresh connection closed (code {}) before taking over; retrying in {} ms",
          name,
          code,
          TokenRefresher.RETRY_MS);
      if (state == State.CONNECTED) {
        refresher.retryLater();
      }
      return;
    }
    if (conn != current || closing) {
      return;
    }
    attemptFailed(conn, code, reason, failure);
  }

  /** The current connection (or its credential fetch) failed: decide between retry and stop. */
  private void attemptFailed(
      Connection conn, int code, String reason, ConnectFailedException failure) {
    current = null;
    welcomeView = null;
    queuedView = 0;
    refresher.cancel();
    cancelReplayTimers();
    if (candidate != null) {
      Connection c = candidate;
      candidate = null;
      c.lost = true;
      c.cancelTimers();
      c.failAll(code, reason);
      closeSocket(c, 1000, "replaced");
    }
    ReconnectDecision decision =
        ReconnectDecision.afterClose(
            code, everConnected, attempts, nextDelayFloorMs, config.reconnect());
    nextDelayFloorMs = decision.floorMs();
    boolean willReconnect = decision.reconnect();
    if (conn != null && conn.open) {
      Logger.info(
          "{}: disconnected (code {}{}), {}",
          name,
          code,
          reason.isEmpty() ? "" : ", " + reason,
          willReconnect ? "reconnecting" : "not reconnecting");
    } else {
      Logger.info(
          "{}: connection attempt failed: {}; {}",
          name,
          failure != null ? failure.getMessage() : "code " + code,
          willReconnect ? "retrying" : "giving up");
    }
    fire(() -> listener.onDisconnected(code, reason, willReconnect));
    if (willReconnect) {
      scheduleReconnect();
    } else {
      transition(State.CLOSED);
      if (connectFuture != null) {
        CompletableFuture<Welcome> f = connectFuture;
        connectFuture = null;
        f.completeExceptionally(
            failure != null
                ? failure
                : new ConnectFailedException(
                    "connection closed before welcome (code " + code + ")", code));
      }
    }
  }

  private void scheduleReconnect() {
    attempts++;
    long delay = backoff.delayMs(attempts, nextDelayFloorMs);
    nextDelayFloorMs = 0;
    transition(State.RECONNECTING);
    Logger.debug("{}: reconnect attempt {} in {} ms", name, attempts, delay);
    reconnectTimer =
        events.schedule(
            () -> {
              reconnectTimer = null;
              openConnection(false);
            },
            delay,
            TimeUnit.MILLISECONDS);
  }

  // =====================================================================================
  // Make-before-break token refresh.
  // =====================================================================================

  /**
   * A refreshed connection was welcomed: subscribe everything on it, then switch and close the old
   * one.
   */
  private void takeOver(Connection fresh) {
    List<CompletableFuture<Void>> replays = new ArrayList<>();
    for (String channel : new ArrayList<>(subscriptions.keySet())) {
      replays.add(replay(fresh, channel, REPLAY_MAX_RETRIES));
    }
    CompletableFuture.allOf(replays.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, error) -> {
              if (fresh != candidate || fresh.lost || closing) {
                return;
              }
              if (error != null) {
                Logger.warn(
                    "{}: refresh connection could not re-subscribe ({}); keeping the old one, retrying in {} ms",
                    name,
                    unwrap(error).getMessage(),
                    TokenRefresher.RETRY_MS);
                candidate = null;
                fresh.lost = true;
                fresh.cancelTimers();
                fresh.failAll(1000, "refresh aborted");
                closeSocket(fresh, 1000, "refresh aborted");
                refresher.retryLater();
                return;
              }
              switchTo(fresh);
            });
  }

  private void switchTo(Connection fresh) {
    Connection old = current;
    candidate = null;
    current = fresh;
    // Subscriptions changed while the fresh connection was being prepared.
    for (String channel : subscriptions.keySet()) {
      if (!subscriptions.get(channel).equals(fresh.replayed.get(channel))) {
        replay(fresh, channel, 0);
      }
    }
    for (String channel : new ArrayList<>(fresh.replayed.keySet())) {
      if (!subscriptions.containsKey(channel)) {
        requests.submitInternal(
            fresh, "unsubscribe", channel, id -> FrameCodec.unsubscribe(channel, id));
      }
    }
    if (old != null) {
      // Requests not written yet move over; written ones finish on the old socket.
      fresh.queue.addAll(old.queue);
      old.queue.clear();
      if (old.drainTimer != null) {
        old.drainTimer.cancel(false);
        old.drainTimer = null;
      }
      old.draining = true;
      draining.add(old);
      old.drainCloseTimer =
          events.schedule(
              () -> retireDrained(old), config.timeouts().ack().toMillis(), TimeUnit.MILLISECONDS);
      closeDrainedIfIdle(old);
    }
    maxMessageSize = fresh.welcome.maxMessageSize();
    Welcome welcome = toWelcome(fresh.welcome, true);
    welcomeView = welcome;
    Logger.info(
        "{}: switched to a connection with a fresh token (expires {})",
        name,
        welcome.expiresAt().map(Instant::toString).orElse("never"));
    fire(() -> listener.onConnected(welcome));
    requests.drain(fresh);
    refresher.planFromWelcome(fresh.welcome.expiresAt(), fresh.welcome.serverTime());
  }

  private void closeDrainedIfIdle(Connection conn) {
    if (conn.draining && conn.pending.isEmpty()) {
      retireDrained(conn);
    }
  }

  private void retireDrained(Connection conn) {
    if (conn.lost) {
      return;
    }
    conn.lost = true;
    conn.cancelTimers();
    conn.failAll(1000, "token refreshed");
    draining.remove(conn);
    closeSocket(conn, 1000, "token refreshed");
  }

  // =====================================================================================
  // Closing.
  // =====================================================================================

  @Override
  public void close() {
    CompletableFuture<Void> done = closeAsync();
    if (events.inEventThread()) {
      return; // waiting here would deadlock the thread that has to do the work
    }
    try {
      done.get(config.timeouts().close().toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      Logger.warn("{}: close did not finish cleanly: {}", name, Redactor.describe(e));
    }
  }

  @Override
  public synchronized CompletableFuture<Void> closeAsync() {
    if (closing) {
      return terminated;
    }
    closing = true;
    try {
      events.execute(this::shutdown);
    } catch (RejectedExecutionException e) {
      terminated.complete(null);
    }
    return terminated;
  }

  /**
   * Every connection this client holds: those draining after a refresh, the current one, the
   * candidate.
   */
  private List<Connection> allConnections() {
    List<Connection> all = new ArrayList<>(draining);
    if (current != null) {
      all.add(current);
    }
    if (candidate != null) {
      all.add(candidate);
    }
    return all;
  }

  private void shutdown() {
    cancel(reconnectTimer);
    refresher.cancel();
    requests.stop();
    cancelReplayTimers();
    List<Connection> all = allConnections();
    List<CompletableFuture<Void>> closed = new ArrayList<>();
    for (Connection conn : all) {
      conn.lost = true;
      conn.cancelTimers();
      conn.failAllClosed();
      if (conn.link != null && conn.link.isOpen()) {
        closed.add(conn.socketClosed);
        closeSocket(conn, 1000, "client requested close");
      }
    }
    current = null;
    candidate = null;
    draining.clear();
    welcomeView = null;
    queuedView = 0;
    if (connectFuture != null) {
      connectFuture.completeExceptionally(
          new NotConnectedException("client closed before welcome"));
      connectFuture = null;
    }
    transition(State.CLOSED);
    java.util.concurrent.atomic.AtomicBoolean finished =
        new java.util.concurrent.atomic.AtomicBoolean();
    Runnable finish =
        () -> {
          if (!finished.compareAndSet(false, true)) {
            return;
          }
          events.shutdownNow();
          transport.shutdown();
          Logger.debug("{}: closed", name);
          terminated.complete(null);
        };
    // Bounded: a socket whose close handshake never completes (half-open link) does not hold us up.
    events.schedule(finish, config.timeouts().close().toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).thenRun(finish);
  }

  private void cancelReplayTimers() {
    for (ScheduledFuture<?> t : replayTimers) {
      t.cancel(false);
    }
    replayTimers.clear();
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** Calls the listener, isolating the client from its exceptions. */
  private void fire(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      Logger.warn(e, "{}: listener threw", name);
    }
  }
}
