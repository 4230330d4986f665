package io.outpost.realtime;

import java.time.Duration;

/**
 * Receives everything the client observes. Every method has a no-op default, so implement only what
 * you need.
 *
 * <p><b>Threading:</b> all methods are called on the client's single event thread (named {@code
 * realtime-client-events-N}), one at a time, in the order the events happened. Do not block in a
 * callback: the client's timers and the processing of inbound frames wait for it, and once more
 * than 16 Mi characters of inbound frames are waiting the client drops the connection (close 1008)
 * and reconnects rather than buffer without bound. Calling the client from a callback (e.g.
 * publishing in {@link #onMessage}) is fine; waiting on the returned future there ({@code join()})
 * would deadlock — chain on it instead. An exception thrown by a callback is logged and otherwise
 * ignored.
 */
public interface RealtimeListener {

  /** A message on a subscribed channel. */
  default void onMessage(ChannelMessage message) {}

  /** A direct message to this peer. */
  default void onDirect(DirectMessage message) {}

  /** A channel's roster changed (already de-duplicated; snapshots diffed against the cache). */
  default void onPresence(PresenceChange change) {}

  /**
   * A welcome arrived: the first connection, a reconnection ({@link Welcome#reconnect()} is true;
   * the client is already re-subscribing every channel), or a switch to a refreshed connection.
   */
  default void onConnected(Welcome welcome) {}

  /**
   * The connection was lost or closed.
   *
   * @param code the WebSocket close code (1006 when the transport died without one, 4000 for the
   *     client's own inactivity or welcome timeout)
   * @param reason the close reason (untrusted text from the server)
   * @param willReconnect whether another attempt is scheduled
   */
  default void onDisconnected(int code, String reason, boolean willReconnect) {}

  /** The server announced a graceful shutdown; the client reconnects after {@code retryAfter}. */
  default void onGoingAway(Duration retryAfter) {}

  /**
   * An {@code error} frame not tied to a request of this client (e.g. {@code over_message_quota}).
   */
  default void onServerError(ServerError error) {}

  /**
   * The token provider failed (or timed out) {@code consecutiveFailures} times in a row; called
   * from the third consecutive failure on, once per further failure. The client keeps retrying.
   */
  default void onTokenProviderFailure(int consecutiveFailures, Throwable error) {}

  /** The {@link State} changed. */
  default void onStateChange(State from, State to) {}
}
