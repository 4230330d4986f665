package io.outpost.plugin;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The agent's link to the realtime network, as plugins see it. Publishing never blocks and never
 * fails for lack of a connection: the message goes into the durable outbox and is delivered in
 * order when the link is up.
 */
public interface Uplink {

  /**
   * Queues {@code data} (a JSON-like Map) for {@code devices/<id>/events}. Its {@code type} field
   * is required, e.g. {@code "event"}.
   */
  void publishEvent(Map<String, Object> data);

  /** Queues {@code data} for an arbitrary channel the device's credential allows. */
  void publish(String channel, Map<String, Object> data);

  /**
   * Subscribes to {@code channel} (wildcards allowed) for as long as the agent runs; the listener
   * gets (concrete channel, data) on the uplink's event thread and must not block. Another agent's
   * replay envelope (stored messages sent packed after an outage) arrives as its messages, one call
   * each.
   */
  void subscribe(String channel, BiConsumer<String, Object> listener);

  /**
   * Queues {@code data} for {@code channel} like {@link #publish} and says when it is safe: the
   * returned stage completes once the message is committed to the durable outbox (it will reach the
   * network even if the process is killed now), or completes exceptionally if it was refused or
   * dropped. A bridge acknowledges its own source only then, so nothing it accepted can be lost.
   *
   * <p>Agents that cannot tell return a stage that fails with {@link
   * UnsupportedOperationException}; callers must then not assume durability.
   */
  default CompletionStage<Void> publishDurably(String channel, Map<String, Object> data) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this agent cannot report durable commits"));
  }

  /**
   * Receives direct messages to this device whose {@code type} is {@code type} (commands go to the
   * agent's command router, not here); the listener gets (sender's peerId, data) on the uplink's
   * event thread and must not block. Agents without this refuse it.
   */
  default void subscribeDirect(String type, BiConsumer<String, Object> listener) {
    throw new UnsupportedOperationException("this agent cannot hand direct messages to plugins");
  }

  /** Whether the link is up right now. */
  boolean connected();
}
