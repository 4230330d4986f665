package io.outpost.agent.commands;

import io.outpost.agent.internal.LogSafe;
import io.outpost.log.Logger;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rate-limits what the agent says about refused commands, so a flood of them is not amplified: per
 * sender and reason, the first refusal in each {@code interval} is answered (the caller publishes
 * its result and logs it); the rest are only counted, and one summary line per sender and reason
 * says how many there were once the interval ends. At most {@code maxSenders} senders are tracked
 * one by one; beyond that they share one entry. However many senders there are, at most {@link
 * #MAX_ANSWERS} refusals are answered per interval in all, so answers take at most about one uplink
 * message a second (two for direct messages). Thread-safe.
 */
final class Refusals {
  static final String OTHERS = "(other senders)";

  /** Refusals answered per interval, across all senders. */
  static final int MAX_ANSWERS = 10;

  private static final class Window {
    final long startNanos;
    long suppressed;

    Window(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  private final long intervalNanos;
  private final int maxSenders;
  private final ScheduledExecutorService timer;
  private final Map<String, Window> windows = new LinkedHashMap<>();
  private boolean flushScheduled;
  private long suppressedTotal;
  private long answersWindowStart = System.nanoTime();
  private int answers;

  Refusals(Duration interval, int maxSenders, ScheduledExecutorService timer) {
    this.intervalNanos = interval.toNanos();
    this.maxSenders = maxSenders;
    this.timer = timer;
  }

  /**
   * Counts one refusal of {@code from}'s command for {@code reason}; true when it is the first in
   * this interval and should be answered, false when it was only counted.
   */
  synchronized boolean first(String from, String reason) {
    long now = System.nanoTime();
    expire(now);
    String key = key(from, reason);
    Window w = windows.get(key);
    if (w == null) {
      if (windows.size() >= maxSenders) {
        key = key(OTHERS, reason);
        w = windows.get(key);
      }
      if (w == null) {
        w = new Window(now);
        windows.put(key, w);
        if (answer(now)) {
          return true;
        }
      }
    }
    w.suppressed++;
    suppressedTotal++;
    if (!flushScheduled) {
      flushScheduled = true;
      try {
        timer.schedule(this::flush, intervalNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        flushScheduled = false;
      }
    }
    return false;
  }

  private boolean answer(long now) {
    if (now - answersWindowStart >= intervalNanos) {
      answersWindowStart = now;
      answers = 0;
    }
    return ++answers <= MAX_ANSWERS;
  }

  /** Refusals counted but not answered, since start. */
  synchronized long suppressed() {
    return suppressedTotal;
  }

  private static String key(String from, String reason) {
    return reason + "\u0000" + from;
  }

  private synchronized void flush() {
    flushScheduled = false;
    expire(System.nanoTime());
    for (Window w : windows.values()) {
      if (w.suppressed > 0 && !flushScheduled) {
        flushScheduled = true;
        long left = Math.max(0, w.startNanos + intervalNanos - System.nanoTime());
        try {
          timer.schedule(this::flush, left, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          flushScheduled = false;
        }
      }
    }
  }

  /** Ends every window older than the interval, logging its summary. */
  private void expire(long now) {
    for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Window> e = it.next();
      if (now - e.getValue().startNanos < intervalNanos) {
        continue;
      }
      it.remove();
      if (e.getValue().suppressed > 0) {
        int split = e.getKey().indexOf('\u0000');
        Logger.warn(
            "refused {} more commands from {} in the last {} s ({}); answered only the first",
            e.getValue().suppressed,
            LogSafe.of(e.getKey().substring(split + 1)),
            intervalNanos / 1_000_000_000L,
            e.getKey().substring(0, split));
      }
    }
  }
}
