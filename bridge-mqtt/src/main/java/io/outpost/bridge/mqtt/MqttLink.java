package io.outpost.bridge.mqtt;

import java.util.List;
import java.util.Map;

/**
 * The broker connection as the bridge needs it, over Paho's MQTT 5 ({@link V5Link}) or 3.1.1
 * ({@link V3Link}) client. Blocking calls run on the bridge's own thread; {@link Listener} methods
 * run on Paho's callback thread and must not block.
 */
interface MqttLink extends AutoCloseable {

  /** A message from the broker; acknowledge it with {@link #ack} once it is safe. */
  record Incoming(
      String topic,
      byte[] payload,
      int qos,
      boolean retained,
      boolean duplicate,
      int id,
      Map<String, Object> properties,
      String contentType,
      String origin) {}

  /** A subscription: MQTT 5 sets noLocal so the bridge never hears its own publishes. */
  record Subscription(String filter, int qos) {}

  interface Listener {
    void message(Incoming message);

    /** The connection dropped (not called for {@link #close}). */
    void lost(Throwable cause);
  }

  /** Connects with a persistent session; blocks up to the configured timeout. */
  void connect() throws Exception;

  boolean connected();

  /** Subscribes; blocks until the SUBACK and fails when the broker refused a filter. */
  void subscribe(List<Subscription> subscriptions) throws Exception;

  /**
   * Publishes and blocks until the broker has it (PUBACK for QoS 1, written for QoS 0).
   *
   * @param origin put in the MQTT 5 user property {@code outpost-origin}; ignored for 3.1.1
   */
  void publish(String topic, byte[] payload, int qos, boolean retain, String origin)
      throws Exception;

  /** Sends the PUBACK for a message received with manual acknowledgement. */
  void ack(Incoming message);

  /** Disconnects without giving up the session (the broker keeps queueing for us). */
  @Override
  void close();
}
