package io.outpost.realtime.internal;

/**
 * Outbound pacing: {@code ratePerSecond} tokens per second up to {@code capacity}, starting full.
 * Time comes from the caller (nanoseconds) so tests can drive it. Not thread-safe; used on the
 * event thread.
 */
public final class TokenBucket {

  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long lastNanos;

  /** A bucket; {@code ratePerSecond <= 0} means unlimited. */
  public TokenBucket(double ratePerSecond, int capacity, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = capacity;
    this.tokens = capacity;
    this.lastNanos = nowNanos;
  }

  /** Whether pacing is off. */
  public boolean unlimited() {
    return ratePerNano <= 0;
  }

  /** Takes one token if available. */
  public boolean tryTake(long nowNanos) {
    if (unlimited()) {
      return true;
    }
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** Nanoseconds until one token is available (0 if one is now). */
  public long nanosUntilAvailable(long nowNanos) {
    if (unlimited()) {
      return 0;
    }
    refill(nowNanos);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerNano);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
      lastNanos = nowNanos;
    }
  }
}
