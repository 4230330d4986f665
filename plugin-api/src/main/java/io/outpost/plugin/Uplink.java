package io.outpost.plugin;

import java.util.Map;
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
   * gets (concrete channel, data) on the uplink's event thread and must not block.
   */
  void subscribe(String channel, BiConsumer<String, Object> listener);

  /** Whether the link is up right now. */
  boolean connected();
}
