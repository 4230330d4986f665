package io.outpost.agent.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The agent's one retry policy: after failure n the next attempt waits {@code first × 2^(n−1)}, at
 * most {@code max}; a success resets it. Used by every retry in the agent (sensor restarts, plugin
 * service starts). No jitter: these retries are per device, not a fleet reconnecting at once (the
 * realtime client jitters its own reconnects). Not thread-safe; callers hold their own lock.
 *
 * <pre>{@code
 * Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
 * b.fail();   // 1 s
 * b.fail();   // 2 s
 * b.reset();  // after a success
 * }</pre>
 */
public final class Backoff {
  private final Duration first;
  private final Duration max;
  private int failures;

  public Backoff(Duration first, Duration max) {
    this.first = Objects.requireNonNull(first, "first == null");
    this.max = Objects.requireNonNull(max, "max == null");
    if (first.isNegative() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("need 0 <= first <= max, got " + first + ", " + max);
    }
  }

  /** Counts one more failure and returns how long to wait before the next attempt. */
  public Duration fail() {
    if (failures < Integer.MAX_VALUE) {
      failures++;
    }
    return delay(failures);
  }

  /** The wait after failure {@code n} (1-based), without counting anything. */
  public Duration delay(int n) {
    int shift = Math.min(Math.max(0, n - 1), 40);
    Duration d = first.multipliedBy(1L << shift);
    return d.compareTo(max) > 0 || d.isNegative() ? max : d;
  }

  /** After a success: the next failure waits {@code first} again. */
  public void reset() {
    failures = 0;
  }

  /** Failures since the last {@link #reset()}. */
  public int failures() {
    return failures;
  }
}
