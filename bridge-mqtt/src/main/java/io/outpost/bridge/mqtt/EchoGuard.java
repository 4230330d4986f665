package io.outpost.bridge.mqtt;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The origin marker for MQTT 3.1.1, which has no noLocal: remembers what the bridge itself
 * published recently (topic and payload) so that the copy coming back through one of its own
 * subscriptions is recognised and skipped once. Bounded in count and age. Thread-safe.
 */
final class EchoGuard {
  private static final int MAX = 4096;
  private static final long MAX_AGE_MS = 60_000;

  private record Key(String topic, int hash, int length) {}

  private record Entry(Key key, long at) {}

  private final ArrayDeque<Entry> order = new ArrayDeque<>();
  private final Map<Key, Integer> counts = new HashMap<>();

  synchronized void published(String topic, byte[] payload, long nowMs) {
    expire(nowMs);
    Key k = key(topic, payload);
    order.addLast(new Entry(k, nowMs));
    counts.merge(k, 1, Integer::sum);
    if (order.size() > MAX) {
      remove(order.removeFirst().key());
    }
  }

  /** Whether this message is the echo of one of ours (and forgets that one). */
  synchronized boolean isEcho(String topic, byte[] payload, long nowMs) {
    expire(nowMs);
    Key k = key(topic, payload);
    if (!counts.containsKey(k)) {
      return false;
    }
    remove(k);
    return true;
  }

  private void remove(Key k) {
    counts.computeIfPresent(k, (x, n) -> n <= 1 ? null : n - 1);
  }

  private void expire(long nowMs) {
    while (!order.isEmpty() && nowMs - order.peekFirst().at() > MAX_AGE_MS) {
      remove(order.removeFirst().key());
    }
  }

  private static Key key(String topic, byte[] payload) {
    return new Key(topic, Arrays.hashCode(payload), payload.length);
  }
}
