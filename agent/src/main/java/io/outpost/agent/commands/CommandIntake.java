package io.outpost.agent.commands;

import com.google.gson.JsonElement;
import io.outpost.agent.internal.LogSafe;
import io.outpost.log.Logger;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The command path's own bounded queue and rate. Command messages from allowed senders wait here
 * (at most {@code capacity}; {@link #offer} says false beyond) and are handed to the router one at
 * a time, spaced so that their results use at most {@code resultsPerSecond} of the uplink: a
 * command answered on the events channel costs one message, a direct command two. Telemetry and
 * status keep the rest of the uplink however many commands arrive. The receiving thread only
 * enqueues, so a flood never slows down reading from the connection.
 *
 * <p>Runs on the agent's timer; schedules itself only while something waits (no idle wake-ups).
 */
final class CommandIntake implements AutoCloseable {
  /** A command message as received. */
  record Incoming(JsonElement data, String from, boolean fleet, boolean direct) {
    /** Uplink messages its result takes. */
    int cost() {
      return direct ? 2 : 1;
    }
  }

  private final int capacity;
  private final double resultsPerSecond;
  private final ScheduledExecutorService timer;
  private final Consumer<Incoming> process;
  private final ArrayDeque<Incoming> queue = new ArrayDeque<>();
  private boolean scheduled;
  private boolean closed;
  private long nextAtNanos = System.nanoTime();

  CommandIntake(
      int capacity,
      double resultsPerSecond,
      ScheduledExecutorService timer,
      Consumer<Incoming> process) {
    if (capacity < 1 || !(resultsPerSecond > 0)) {
      throw new IllegalArgumentException("need capacity >= 1 and resultsPerSecond > 0");
    }
    this.capacity = capacity;
    this.resultsPerSecond = resultsPerSecond;
    this.timer = timer;
    this.process = process;
  }

  /** Queues a command; false when the queue is full (or closed). Never blocks. */
  synchronized boolean offer(Incoming in) {
    if (closed || queue.size() >= capacity) {
      return false;
    }
    queue.add(in);
    if (!scheduled) {
      scheduled = true;
      scheduleNext();
    }
    return true;
  }

  synchronized int queued() {
    return queue.size();
  }

  private void scheduleNext() {
    long delay = Math.max(0, nextAtNanos - System.nanoTime());
    try {
      timer.schedule(this::drainOne, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      scheduled = false; // the agent is stopping
    }
  }

  private void drainOne() {
    Incoming in;
    synchronized (this) {
      in = closed ? null : queue.poll();
      if (in == null) {
        scheduled = false;
        return;
      }
      long now = System.nanoTime();
      nextAtNanos = Math.max(now, nextAtNanos) + (long) (in.cost() * 1e9 / resultsPerSecond);
    }
    try {
      process.accept(in);
    } catch (RuntimeException e) {
      Logger.error("command processing failed: {}", LogSafe.of(e));
    }
    synchronized (this) {
      if (closed || queue.isEmpty()) {
        scheduled = false;
      } else {
        scheduleNext();
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    queue.clear();
  }
}
