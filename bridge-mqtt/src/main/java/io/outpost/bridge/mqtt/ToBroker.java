package io.outpost.bridge.mqtt;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Messages waiting for the broker, in arrival order, bounded: when full the oldest is dropped (and
 * counted by the caller). {@link #next} paces the drain to {@code rate} messages per second so a
 * backlog after an outage does not flood the broker and its clients. Thread-safe.
 */
final class ToBroker {
  record Item(
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      RuleStats stats,
      CompletableFuture<Void> delivered) {}

  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private final int capacity;
  private final long intervalNanos;
  private long nextSendNanos = System.nanoTime();
  private Item inFlight;

  ToBroker(int capacity, double rate) {
    this.capacity = capacity;
    this.intervalNanos = (long) (1e9 / rate);
  }

  /** Appends {@code item}; returns the item dropped to make room, or null. */
  synchronized Item add(Item item) {
    Item dropped = null;
    if (queue.size() + (inFlight == null ? 0 : 1) >= capacity) {
      dropped = queue.pollFirst();
    }
    queue.addLast(item);
    notifyAll();
    return dropped;
  }

  /** The next item once it is due (pacing), or null after {@code waitMs} with nothing. */
  synchronized Item next(long waitMs) throws InterruptedException {
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    while (true) {
      long now = System.nanoTime();
      if (!queue.isEmpty()) {
        if (now >= nextSendNanos) {
          // No credit builds up while idle beyond one message: a burst is paced from its start.
          nextSendNanos = Math.max(nextSendNanos, now - intervalNanos) + intervalNanos;
          inFlight = queue.pollFirst();
          return inFlight;
        }
        long waitNs = Math.min(nextSendNanos - now, deadline - now);
        if (waitNs <= 0) {
          return null;
        }
        wait(Math.max(1, waitNs / 1_000_000), (int) (waitNs % 1_000_000));
        continue;
      }
      if (now >= deadline) {
        return null;
      }
      wait(Math.max(1, (deadline - now) / 1_000_000));
    }
  }

  /** The broker has {@code item}. */
  synchronized void done(Item item) {
    if (inFlight == item) {
      inFlight = null;
    }
  }

  /** Publishing {@code item} failed: it goes first again, so order holds across reconnects. */
  synchronized void putBack(Item item) {
    if (inFlight == item) {
      inFlight = null;
    }
    queue.addFirst(item);
  }

  synchronized int size() {
    return queue.size() + (inFlight == null ? 0 : 1);
  }

  synchronized void failAll(RuntimeException why) {
    for (Item i : queue) {
      i.delivered().completeExceptionally(why);
    }
    queue.clear();
  }
}
