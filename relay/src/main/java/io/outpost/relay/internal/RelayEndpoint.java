package io.outpost.relay.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.outpost.log.Logger;
import io.outpost.relay.RelaySettings;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The WebSocket side of the relay: admission at upgrade and connect, then every client frame of
 * protocol.md section 2. One instance serves all sessions; per-session state lives in {@link
 * Connection}. Tyrus calls the message handlers of one session sequentially on its worker threads.
 */
public final class RelayEndpoint extends Endpoint {
  private static final String CONNECTION = "outpost.connection";
  private static final int MAX_REQUEST_ID_LENGTH = 128;

  private final RelaySettings settings;
  private final Hub hub;

  /** The relay's single timer thread: token expiry closes and hub removals run here. */
  private final ScheduledExecutorService timer;

  private final Clock clock;

  /** The relay's output threads: they write queued frames (see {@link Outbound}). */
  private final Executor output;

  private volatile boolean shuttingDown;

  public RelayEndpoint(
      RelaySettings settings,
      Hub hub,
      ScheduledExecutorService timer,
      Executor output,
      Clock clock) {
    this.settings = settings;
    this.output = output;
    this.hub = hub;
    this.timer = timer;
    this.clock = clock;
  }

  /**
   * The Tyrus registration of this endpoint at {@code /v1}; every session is served by this one
   * instance.
   */
  public ServerEndpointConfig config() {
    RelayEndpoint self = this;
    return ServerEndpointConfig.Builder.create(RelayEndpoint.class, "/v1")
        .configurator(
            new ServerEndpointConfig.Configurator() {
              @Override
              public <T> T getEndpointInstance(Class<T> endpointClass) {
                return endpointClass.cast(self);
              }
            })
        .build();
  }

  /** Stops admitting connections (they get going_away + 1001 right after connect). */
  public void shuttingDown() {
    shuttingDown = true;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    long now = System.nanoTime();
    session.setMaxTextMessageBufferSize(settings.maxMessageSize());
    session.setMaxBinaryMessageBufferSize(settings.maxMessageSize());
    // Negative, not 0: with 0 Tyrus schedules (and cancels) an idle-timeout task on every single
    // send, which costs
    // more than the send itself under fan-out. Liveness is the relay's own ping/idle sweep.
    session.setMaxIdleTimeout(-1);
    Credential credential;
    try {
      credential = authenticate(session.getRequestParameterMap());
    } catch (Tokens.AuthFailure e) {
      Logger.info("connection refused with {}: {}", e.closeCode(), LogSafe.of(e.getMessage()));
      closeQuietly(session, e.closeCode(), e.getMessage());
      return;
    }
    Connection c =
        new Connection(
            session,
            credential,
            new TokenBucket(settings.ratePerSecond(), settings.rateBurst(), now),
            now,
            output,
            settings.outboundLimit(),
            timer);
    session.getUserProperties().put(CONNECTION, c);
    hub.add(c);
    session.addMessageHandler(String.class, text -> onText(c, text));
    session.addMessageHandler(ByteBuffer.class, bytes -> onBinary(c));
    session.addMessageHandler(PongMessage.class, pong -> c.touch(System.nanoTime()));
    long nowMillis = clock.millis();
    c.send(
        Frames.welcome(
            credential.peerId(),
            credential.expiresAtSeconds(),
            nowMillis / 1000,
            settings.maxMessageSize(),
            credential.metadata()));
    if (credential.expiresAtSeconds() != null) {
      long expMillis = credential.expiresAtSeconds() * 1000;
      // A token admitted within the clock-skew allowance (exp already passed here) gets that
      // allowance.
      long closeAt = expMillis > nowMillis ? expMillis : expMillis + Tokens.CLOCK_SKEW.toMillis();
      c.expiry(
          timer.schedule(
              () -> c.close(4002, "token expired"), closeAt - nowMillis, TimeUnit.MILLISECONDS));
    }
    if (shuttingDown) {
      c.send(Frames.goingAway(settings.goingAwayRetryAfter().toMillis()));
      c.close(1001, "server shutting down");
    }
  }

  private Credential authenticate(Map<String, List<String>> params) throws Tokens.AuthFailure {
    List<String> tokens = params.get("token");
    List<String> keys = params.get("key");
    int given = (tokens == null ? 0 : tokens.size()) + (keys == null ? 0 : keys.size());
    if (given != 1) {
      throw new Tokens.AuthFailure(
          4001, given == 0 ? "missing ?token= or ?key=" : "pass exactly one credential");
    }
    if (keys != null) {
      return Tokens.forPublishableKey(keys.get(0), settings.keys());
    }
    return Tokens.forToken(tokens.get(0), settings.keys(), clock.instant());
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    Object c = session.getUserProperties().get(CONNECTION);
    if (c instanceof Connection connection) {
      connection.closed();
      // Not inline: Tyrus calls onClose from inside a failed send to this socket while holding that
      // socket's send
      // lock, and Hub.remove takes the membership lock, under which other threads send presence
      // frames to this
      // very socket. Inline, that is a lock-order deadlock; on the relay's own thread it is just a
      // queued task.
      try {
        timer.execute(() -> hub.remove(connection));
      } catch (RejectedExecutionException stopped) {
        hub.remove(connection); // the relay has stopped; nobody else sends any more
      }
      Logger.debug(
          "{} closed: {} {}",
          connection.peerId(),
          closeReason.getCloseCode().getCode(),
          LogSafe.of(closeReason.getReasonPhrase()));
    }
  }

  @Override
  public void onError(Session session, Throwable thr) {
    // Tyrus reports oversize frames (and closes with 1009 itself) and broken sockets here. Neither
    // is a relay bug,
    // so no stack trace: one line naming the peer.
    Object c = session.getUserProperties().get(CONNECTION);
    String who =
        c instanceof Connection connection ? connection.peerId() : "unauthenticated socket";
    if (thr.getClass()
        .getSimpleName()
        .equals("MessageTooBigException")) { // package-private in Tyrus
      Logger.info(
          "{}: frame larger than {} bytes, closing with 1009", who, settings.maxMessageSize());
    } else {
      Logger.debug("{}: websocket error: {}", who, LogSafe.of(thr));
    }
  }

  private void onBinary(Connection c) {
    long now = System.nanoTime();
    c.touch(now);
    if (!takeToken(c, now)) {
      return;
    }
    c.send(
        Frames.error(
            null, "malformed_message", "binary frames are not supported; send JSON text frames"));
  }

  private void onText(Connection c, String text) {
    long now = System.nanoTime();
    c.touch(now);
    try {
      handle(c, text, now);
    } catch (RuntimeException e) {
      // A relay bug must not take the connection (or the log) down with a stack trace per frame.
      Logger.error(e, "internal error handling a frame from {}", c.peerId());
      c.send(Frames.error(null, "internal_error", "internal error"));
    }
  }

  private void handle(Connection c, String text, long now) {
    JsonObject frame = null;
    String malformed = "frame is not a JSON object";
    try {
      JsonElement parsed = StrictJson.parse(text);
      if (parsed.isJsonObject()) {
        frame = parsed.getAsJsonObject();
      }
    } catch (StrictJson.Malformed e) {
      malformed = "frame is not valid JSON: " + e.getMessage();
    }
    JsonElement typeElement = frame == null ? null : frame.get("type");
    String type = isString(typeElement) ? typeElement.getAsString() : null;
    if (!"ping".equals(type) && !takeToken(c, now)) {
      return;
    }
    if (frame == null) {
      c.send(Frames.error(null, "malformed_message", malformed));
      return;
    }
    JsonElement requestIdElement = frame.get("requestId");
    String requestId = null;
    if (requestIdElement != null && !requestIdElement.isJsonNull()) {
      if (!isString(requestIdElement)
          || requestIdElement.getAsString().isEmpty()
          || requestIdElement.getAsString().length() > MAX_REQUEST_ID_LENGTH) {
        c.send(
            Frames.error(
                null,
                "malformed_message",
                "requestId must be a non-empty string of at most "
                    + MAX_REQUEST_ID_LENGTH
                    + " characters"));
        return;
      }
      requestId = requestIdElement.getAsString();
    }
    if (type == null) {
      c.send(Frames.error(requestId, "malformed_message", "frame lacks a string \"type\""));
      return;
    }
    switch (type) {
      case "subscribe" -> subscribe(c, frame, requestId);
      case "unsubscribe" -> unsubscribe(c, frame, requestId);
      case "publish" -> publish(c, frame, requestId);
      case "send" -> send(c, frame, requestId);
      case "ping" -> c.send(Frames.pong());
      default ->
          c.send(Frames.error(requestId, "unknown_type", "unknown type: " + abbreviate(type)));
    }
  }

  private boolean takeToken(Connection c, long now) {
    if (c.tryTakeToken(now)) {
      return true;
    }
    if (!c.isClosing()) {
      Logger.info(
          "{}: over {} messages/s (burst {}), closing with 4011",
          c.peerId(),
          settings.ratePerSecond(),
          settings.rateBurst());
    }
    c.closeDraining(4011, "message rate exceeded");
    return false;
  }

  /** Validates the {@code channel} field; sends the error and returns null when it is unusable. */
  private String channel(Connection c, JsonObject frame, String requestId, boolean glob) {
    JsonElement e = frame.get("channel");
    if (!isString(e)) {
      c.send(Frames.error(requestId, "invalid_channel", "channel must be a non-empty string"));
      return null;
    }
    String channel = e.getAsString();
    String reason = glob ? Channels.invalidGlobReason(channel) : Channels.invalidReason(channel);
    if (reason != null) {
      c.send(Frames.error(requestId, "invalid_channel", reason));
      return null;
    }
    if (Channels.isReserved(channel)) {
      c.send(
          Frames.error(
              requestId,
              "channel_reserved",
              "channel uses a reserved prefix (_metered/, _internal/, _system/): "
                  + abbreviate(channel)));
      return null;
    }
    return channel;
  }

  private boolean permitted(Connection c, String action, String requestId) {
    if (c.credential().can(action)) {
      return true;
    }
    c.send(Frames.error(requestId, "action_not_permitted", "credential does not allow " + action));
    return false;
  }

  private boolean authorized(Connection c, String channel, String requestId) {
    if (c.credential().allows(channel)) {
      return true;
    }
    c.send(
        Frames.error(
            requestId, "channel_not_authorized", "not authorized: " + abbreviate(channel)));
    return false;
  }

  private void subscribe(Connection c, JsonObject frame, String requestId) {
    String channel = channel(c, frame, requestId, true);
    if (channel == null
        || !permitted(c, "subscribe", requestId)
        || !authorized(c, channel, requestId)) {
      return;
    }
    if (!hub.hasRoomFor(c, channel)) {
      c.send(
          Frames.error(
              requestId,
              "channel_limit_exceeded",
              "connection already holds " + Hub.MAX_SUBSCRIPTIONS + " subscriptions"));
      return;
    }
    JsonElement include = frame.get("includeSenderMetadata");
    boolean includeSenderMetadata =
        include != null
            && include.isJsonPrimitive()
            && include.getAsJsonPrimitive().isBoolean()
            && include.getAsBoolean();
    hub.subscribe(c, channel, includeSenderMetadata, requestId);
  }

  private void unsubscribe(Connection c, JsonObject frame, String requestId) {
    String channel = channel(c, frame, requestId, false);
    if (channel == null) {
      return;
    }
    hub.unsubscribe(c, channel);
    if (requestId != null) {
      c.send(Frames.ack(requestId));
    }
  }

  private void publish(Connection c, JsonObject frame, String requestId) {
    String channel = channel(c, frame, requestId, false);
    if (channel == null) {
      return;
    }
    if (!frame.has("data")) {
      c.send(Frames.error(requestId, "missing_data", "publish lacks \"data\""));
      return;
    }
    if (!permitted(c, "publish", requestId) || !authorized(c, channel, requestId)) {
      return;
    }
    hub.countMessage();
    hub.publish(c, channel, c.peerId(), c.credential().peerMetadata(), frame.get("data"));
    if (requestId != null) {
      c.send(Frames.ack(requestId));
    }
  }

  private void send(Connection c, JsonObject frame, String requestId) {
    JsonElement toElement = frame.get("to");
    String reason =
        isString(toElement)
            ? Channels.invalidPeerIdReason(toElement.getAsString())
            : "\"to\" must be a non-empty string";
    if (reason != null) {
      c.send(Frames.error(requestId, "invalid_peer_id", reason));
      return;
    }
    if (!frame.has("data")) {
      c.send(Frames.error(requestId, "missing_data", "send lacks \"data\""));
      return;
    }
    if (!permitted(c, "send", requestId)) {
      return;
    }
    hub.countMessage();
    String to = toElement.getAsString();
    if (hub.direct(c, to, frame.get("data")) == 0) {
      c.send(
          Frames.error(
              requestId, "peer_not_found", "peer not online on this instance: " + abbreviate(to)));
      return;
    }
    if (requestId != null) {
      c.send(Frames.ack(requestId));
    }
  }

  private static boolean isString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && ((JsonPrimitive) e).isString();
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  private static void closeQuietly(Session session, int code, String reason) {
    try {
      // Close reasons are limited to 123 bytes on the wire.
      String r = reason.length() > 100 ? reason.substring(0, 100) : reason;
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), r));
    } catch (Exception e) {
      Logger.debug("closing unauthenticated socket failed: {}", e.toString());
    }
  }
}
