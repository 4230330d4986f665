package io.outpost.relay.internal;

/**
 * Classic token bucket: starts full with {@code burst} tokens, refills {@code ratePerSecond}
 * continuously. Thread-safe (synchronized; contention is per connection only).
 */
public final class TokenBucket {
  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long lastNanos;

  public TokenBucket(double ratePerSecond, int burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /** Takes one token; false when the bucket is empty. */
  public synchronized boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      lastNanos = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
