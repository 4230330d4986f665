package io.outpost.plugin.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told to. Thread-safe: a test thread may {@link #advance} it while a
 * sensor reads it on another thread. The zone is UTC.
 */
public final class FakeClock extends Clock {
  /** 2026-01-01T00:00:00Z: a fixed, readable start so expected timestamps can be written out. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;

  public FakeClock() {
    this(DEFAULT_START);
  }

  public FakeClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start == null"));
  }

  /** Moves the clock forward by {@code amount} (must not be negative) and returns the new time. */
  public Instant advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("amount < 0: " + amount);
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  /** Sets the clock to {@code instant} (may move backwards, to test clock jumps). */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant == null"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** Always UTC: a fake clock has no zone to change. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "FakeClock[" + now.get() + "]";
  }
}
