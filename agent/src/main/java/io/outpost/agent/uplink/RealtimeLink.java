package io.outpost.agent.uplink;

import com.google.gson.JsonElement;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.TokenSource;
import io.outpost.agent.internal.LogSafe;
import io.outpost.log.Logger;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.DirectMessage;
import io.outpost.realtime.InvalidArgumentException;
import io.outpost.realtime.MessageTooLargeException;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.ServerError;
import io.outpost.realtime.ServerErrorException;
import io.outpost.realtime.State;
import io.outpost.realtime.TokenProvider;
import io.outpost.realtime.Welcome;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Link} over the realtime client in device mode (reconnects forever, max delay {@code
 * network.reconnectMaxDelay}); the token comes from {@code network.token}, fetched afresh for every
 * connection attempt. The client paces everything sent at {@code network.maxMessagesPerSecond} (its
 * token bucket is the only one in the agent).
 */
public final class RealtimeLink implements Link {
  /** Server error codes after which resending the same message cannot succeed. */
  private static final Set<String> PERMANENT_CODES =
      Set.of(
          "peer_not_found",
          "invalid_peer_id",
          "missing_data",
          "invalid_channel",
          "channel_reserved",
          "malformed_message");

  private final RealtimeConfig clientConfig;
  private final Set<String> wanted = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private RealtimeClient client;
  private volatile Events events;
  private volatile Instant connectedAt;
  private volatile String peerId;
  private volatile String lastDisconnect;
  private volatile int connects;

  public RealtimeLink(AgentConfig config) {
    AgentConfig.Network n = config.network();
    TokenSource source = n.token();
    if (source == null || n.client() == null) {
      throw new IllegalArgumentException("network.token is required to connect");
    }
    // The loader built and checked the client's configuration; only the token fetcher is added.
    if (source instanceof TokenSource.PublishableKey) {
      this.clientConfig = n.client();
    } else {
      TokenFetcher fetcher = new TokenFetcher(config.deviceId(), config.fleet());
      this.clientConfig =
          n.client().toBuilder()
              .tokenProvider(TokenProvider.blocking(() -> fetcher.fetch(source)))
              .build();
    }
  }

  /** The realtime client's settings, as built from the agent's configuration. */
  RealtimeConfig clientConfig() {
    return clientConfig;
  }

  @Override
  public void start(Events events) {
    this.events = events;
    this.client = RealtimeClient.create(clientConfig, new Listener());
    client
        .connect()
        .whenComplete(
            (w, err) -> {
              if (err != null) {
                Logger.warn(
                    "connecting to {} failed: {}",
                    clientConfig.url(),
                    LogSafe.of(rootMessage(err)));
              }
            });
  }

  private final class Listener implements RealtimeListener {
    @Override
    public void onConnected(Welcome welcome) {
      connectedAt = Instant.now();
      peerId = welcome.peerId();
      connects++;
      Logger.info(
          "connected to {} as {} (maxMessageSize {})",
          clientConfig.url(),
          LogSafe.of(welcome.peerId()),
          welcome.maxMessageSize());
      // The client replays what it tracks; a subscribe refused while offline was not tracked.
      Set<String> tracked = client.subscriptions();
      for (String channel : wanted) {
        if (!tracked.contains(channel)) {
          subscribeNow(channel);
        }
      }
      events.connected(welcome.peerId(), welcome.maxMessageSize());
    }

    @Override
    public void onDisconnected(int code, String reason, boolean willReconnect) {
      lastDisconnect = code + (reason == null || reason.isEmpty() ? "" : " " + reason);
      connectedAt = null;
      Logger.warn(
          "disconnected ({}){}", LogSafe.of(lastDisconnect), willReconnect ? "; reconnecting" : "");
      events.disconnected(lastDisconnect);
    }

    @Override
    public void onMessage(ChannelMessage m) {
      events.message(m.channel(), m.from(), m.data());
    }

    @Override
    public void onDirect(DirectMessage m) {
      events.direct(m.from(), m.data());
    }

    @Override
    public void onServerError(ServerError error) {
      Logger.warn("server error {}: {}", LogSafe.of(error.code()), LogSafe.of(error.message()));
    }

    @Override
    public void onTokenProviderFailure(int consecutiveFailures, Throwable error) {
      Logger.error(
          "getting a token failed {} times in a row: {}",
          consecutiveFailures,
          LogSafe.of(rootMessage(error)));
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  @Override
  public void subscribe(String channel) {
    wanted.add(channel);
    if (connected()) {
      subscribeNow(channel);
    }
  }

  private void subscribeNow(String channel) {
    client
        .subscribe(channel)
        .whenComplete(
            (ok, err) -> {
              if (err != null) {
                Logger.warn(
                    "subscribing to {} failed: {} (retried after the next reconnect)",
                    LogSafe.of(channel),
                    LogSafe.of(rootMessage(err)));
              }
            });
  }

  @Override
  public CompletableFuture<Void> publish(String channel, JsonElement data) {
    return client.publish(channel, data);
  }

  @Override
  public CompletableFuture<Void> publishJson(String channel, String json) {
    return client.publishJson(channel, json);
  }

  @Override
  public CompletableFuture<Void> send(String peerId, JsonElement data) {
    return client.send(peerId, data);
  }

  @Override
  public Failure classify(Throwable error) {
    if (error instanceof MessageTooLargeException || error instanceof InvalidArgumentException) {
      return Failure.PERMANENT;
    }
    if (error instanceof ServerErrorException s && PERMANENT_CODES.contains(s.code())) {
      return Failure.PERMANENT;
    }
    return Failure.TRANSIENT;
  }

  @Override
  public boolean connected() {
    return client != null && client.state() == State.CONNECTED;
  }

  @Override
  public Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", clientConfig.url().toString());
    m.put(
        "state",
        client == null ? "idle" : client.state().name().toLowerCase(java.util.Locale.ROOT));
    if (peerId != null) {
      m.put("peerId", peerId);
    }
    if (connectedAt != null) {
      m.put("connectedAt", io.outpost.agent.internal.IsoInstant.format(connectedAt));
    }
    m.put("connects", connects);
    if (lastDisconnect != null) {
      m.put("lastDisconnect", lastDisconnect);
    }
    if (client != null) {
      m.put("queuedRequests", client.queuedRequests());
    }
    return m;
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
