package io.outpost.realtime;

import com.google.gson.JsonElement;
import io.outpost.realtime.internal.DefaultRealtimeClient;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A client for the Metered Realtime Messaging wire protocol, modelled on the official JS SDK's
 * {@code SignallingClient}: connect, subscribe, publish, direct send, presence rosters, acks,
 * reconnect with backoff and re-subscribe, keepalive, token refresh.
 *
 * <pre>{@code
 * RealtimeClient client = RealtimeClient.create(RealtimeConfig.builder()
 *         .url("wss://rms.metered.ca").tokenProvider(myBackend::mintToken).build(), listener);
 * client.connect().join();
 * client.subscribe("devices/pi-1/commands").join();
 * client.publish("devices/pi-1/events", JsonParser.parseString("{\"t\":21.5}")).join();
 * client.close();
 * }</pre>
 *
 * <p><b>Threading.</b> Every method is thread-safe and returns immediately; the work happens on the
 * client's single event thread, which also runs every {@link RealtimeListener} callback and
 * completes the returned futures. Dependent stages ({@code thenRun}…) therefore run on that thread
 * too unless you use the {@code …Async} variants; do not block in them.
 *
 * <p><b>Arguments.</b> Every argument is either immutable ({@link String}, {@link
 * SubscribeOptions}) or, for the {@link JsonElement} data of {@link #publish} and {@link #send},
 * serialised before the method returns; nothing the caller passes is read later from another
 * thread.
 *
 * <p><b>Requests.</b> {@link #subscribe}, {@link #unsubscribe}, {@link #publish} and {@link #send}
 * each return a future completed by the server's {@code ack}, or failed with a {@link
 * RealtimeException}: {@link InvalidArgumentException} and {@link MessageTooLargeException}
 * (checked before anything is sent), {@link NotConnectedException} (not connected), {@link
 * QueueFullException}, {@link ServerErrorException} (the server's {@code error} frame), {@link
 * AckTimeoutException}, {@link DisconnectedException} (the connection died before the ack).
 * Requests are paced by a token bucket ({@link RealtimeConfig.Limits#sendRate()}); a request
 * waiting for the pacer is counted by {@link #queuedRequests()} and its future simply completes
 * later.
 */
public interface RealtimeClient extends AutoCloseable {

  /** Creates a client; nothing happens on the network until {@link #connect()}. */
  static RealtimeClient create(RealtimeConfig config, RealtimeListener listener) {
    return new DefaultRealtimeClient(config, listener);
  }

  /** Creates a client without a listener. */
  static RealtimeClient create(RealtimeConfig config) {
    return new DefaultRealtimeClient(config, new RealtimeListener() {});
  }

  /**
   * Opens the connection. Completes at the first {@code welcome}; fails with {@link
   * ConnectFailedException} if that first attempt fails (unless {@link
   * ReconnectPolicy#retryFirstConnect()}, as in {@link ReconnectPolicy#DEVICE}: then it keeps
   * retrying). Allowed in {@link State#IDLE} and in {@link State#CLOSED} after the server ended the
   * connection (the channels still in {@link #subscriptions()} are subscribed again); otherwise the
   * future fails with {@link IllegalStateException}, or with {@link NotConnectedException} after
   * {@link #close()}.
   */
  CompletableFuture<Welcome> connect();

  /** Subscribes with {@link SubscribeOptions#DEFAULT}. */
  default CompletableFuture<Void> subscribe(String channel) {
    return subscribe(channel, SubscribeOptions.DEFAULT);
  }

  /**
   * Subscribes to a channel (or pattern). The subscription is remembered from this call on and
   * replayed after every reconnect, even if this request's ack was lost. Subscribing again replaces
   * the options.
   */
  CompletableFuture<Void> subscribe(String channel, SubscribeOptions options);

  /** Unsubscribes; the channel is forgotten immediately (not replayed) and its roster dropped. */
  CompletableFuture<Void> unsubscribe(String channel);

  /**
   * Publishes {@code data} (any JSON value, not {@code null}) to a channel. {@code data} is
   * serialised before this method returns, on the calling thread: the caller may change or reuse
   * the element right after the call, and what is sent is what it held at the call.
   */
  CompletableFuture<Void> publish(String channel, JsonElement data);

  /**
   * Publishes {@code json}, the JSON text of one value, as it is: for data that is already text (a
   * stored message, several of them spliced into one array) there is no tree to build and serialise
   * again. The text must be exactly one JSON value under strict syntax; otherwise the future fails
   * with {@link InvalidArgumentException} and nothing is sent. Otherwise the same as {@link
   * #publish}.
   */
  default CompletableFuture<Void> publishJson(String channel, String json) {
    JsonElement data;
    try {
      data = io.outpost.realtime.internal.FrameCodec.parseValue(json);
    } catch (InvalidArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return publish(channel, data);
  }

  /**
   * Sends {@code data} directly to one peer. Like {@link #publish}, {@code data} is serialised
   * before this method returns; later changes to it are not sent.
   */
  CompletableFuture<Void> send(String peerId, JsonElement data);

  /** The current state. */
  State state();

  /** The welcome of the current connection, or {@code null} when not connected. */
  Welcome welcome();

  /**
   * The channels this client keeps subscribed (including ones whose subscribe is not acked yet).
   */
  Set<String> subscriptions();

  /** The latest roster of a subscribed channel (empty when unknown). */
  Roster roster(String channel);

  /** Requests accepted but not yet written because of pacing (0 when the pacer keeps up). */
  int queuedRequests();

  /**
   * Closes gracefully and permanently (no reconnect): pending requests fail with {@link
   * NotConnectedException}, the socket is closed with 1000 and the call waits at most {@link
   * RealtimeConfig.Timeouts#close()} for it, then the client's threads stop. Idempotent. Must not
   * be called from a listener callback (use {@link #closeAsync()} there).
   */
  @Override
  void close();

  /**
   * Starts {@link #close()} without waiting; the future completes when the threads have stopped.
   */
  CompletableFuture<Void> closeAsync();
}
