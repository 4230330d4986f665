package io.outpost.realtime.internal;

import java.util.Random;

/**
 * The SDK's reconnect delay: attempt n waits {@code min(initial * multiplier^(n-1), max)}, lifted
 * to a floor when one applies (4010, going_away, device-mode terminal codes), then jittered
 * symmetrically by {@code ±jitter}. Not thread-safe; used on the event thread.
 */
public final class Backoff {

  private final long initialMs;
  private final double multiplier;
  private final long maxMs;
  private final double jitter;
  private final Random random;

  public Backoff(long initialMs, double multiplier, long maxMs, double jitter, Random random) {
    this.initialMs = initialMs;
    this.multiplier = multiplier;
    this.maxMs = maxMs;
    this.jitter = jitter;
    this.random = random;
  }

  /**
   * Delay before attempt {@code attempt} (1-based).
   *
   * @param floorMs minimum before jitter, 0 for none
   */
  public long delayMs(int attempt, long floorMs) {
    int exponent = Math.max(0, attempt - 1);
    double base = Math.min(initialMs * Math.pow(multiplier, exponent), maxMs);
    double beforeJitter = Math.max(base, floorMs);
    double delta = beforeJitter * jitter * (random.nextDouble() * 2 - 1);
    return Math.max(0, (long) Math.floor(beforeJitter + delta));
  }
}
