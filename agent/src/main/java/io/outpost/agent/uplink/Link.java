package io.outpost.agent.uplink;

import com.google.gson.JsonElement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's view of the network: publish and send with a server ack, subscriptions that survive
 * reconnects, and connection events. {@link RealtimeLink} implements it with the realtime client;
 * tests use an in-memory fake. Implementations are thread-safe; {@link Events} are called on one
 * thread, in order, and must not block.
 */
public interface Link extends AutoCloseable {

  /** What the link reports. */
  interface Events {
    /** A welcome arrived; {@code maxMessageSize} is the server's cap in bytes. */
    void connected(String peerId, int maxMessageSize);

    /** The connection is gone; the link is reconnecting on its own. */
    void disconnected(String why);

    /** A message on a subscribed channel. */
    void message(String channel, String from, JsonElement data);

    /** A direct message to this device. */
    void direct(String from, JsonElement data);
  }

  /** Starts connecting (and reconnecting forever). */
  void start(Events events);

  /** Subscribes now and after every reconnect. */
  void subscribe(String channel);

  /** Completes when the server acked; fails with the server's error or a connection failure. */
  CompletableFuture<Void> publish(String channel, JsonElement data);

  /**
   * Publishes {@code json}, the JSON text of one value, without a tree in between (the uplink's
   * replay envelopes splice stored text); same completion rules as {@link #publish}. Text that is
   * not exactly one JSON value fails the future and is not sent.
   */
  default CompletableFuture<Void> publishJson(String channel, String json) {
    JsonElement data;
    try {
      data = com.google.gson.JsonParser.parseString(json);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return publish(channel, data);
  }

  /** Direct message; same completion rules as {@link #publish}. */
  CompletableFuture<Void> send(String peerId, JsonElement data);

  boolean connected();

  /** State for the status message. */
  Map<String, Object> status();

  @Override
  void close();

  /** Why a publish failed, as far as the uplink needs to know. */
  enum Failure {
    /**
     * Retrying cannot help (too large, the recipient of a direct message is gone): drop the
     * message.
     */
    PERMANENT,
    /** Retry later (disconnected, ack timeout, transient server error). */
    TRANSIENT
  }

  /** Classifies a failure of {@link #publish} or {@link #send}. */
  default Failure classify(Throwable error) {
    return Failure.TRANSIENT;
  }
}
