package io.outpost.bridge.mqtt;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One rule's counters for status: messages taken in, delivered out (committed to the outbox, or
 * acknowledged by the broker), dropped, and the last error with its time.
 */
final class RuleStats {
  private final String label;
  private final String describe;
  final AtomicLong in = new AtomicLong();
  final AtomicLong out = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  private volatile String lastError;
  private volatile Instant lastErrorAt;

  RuleStats(String label, String describe) {
    this.label = label;
    this.describe = describe;
  }

  String label() {
    return label;
  }

  void error(String message, Instant at) {
    lastError = message;
    lastErrorAt = at;
  }

  /** Counts a drop and remembers why. */
  void drop(String why, Instant at) {
    dropped.incrementAndGet();
    error(why, at);
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rule", describe);
    m.put("in", in.get());
    m.put("out", out.get());
    m.put("dropped", dropped.get());
    if (lastError != null) {
      m.put("lastError", lastError);
      m.put("lastErrorAt", lastErrorAt.toString());
    }
    return m;
  }
}
