package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void allowsTheBurstThenPacesAtTheRate() {
    long now = 1_000;
    TokenBucket bucket = new TokenBucket(90, 180, now);
    int taken = 0;
    while (bucket.tryTake(now)) {
      taken++;
    }
    assertThat(taken).isEqualTo(180);
    assertThat(bucket.nanosUntilAvailable(now)).isBetween(SECOND / 90 - 10, SECOND / 90 + 10);
    now += SECOND;
    int second = 0;
    while (bucket.tryTake(now)) {
      second++;
    }
    assertThat(second).isEqualTo(90);
  }

  @Test
  void neverExceedsTheServersLimitOverAnyWindow() {
    // Server: 100/s, burst 200. Client defaults: 90/s, burst 180. Simulate a greedy sender for 10
    // s.
    TokenBucket client = new TokenBucket(90, 180, 0);
    TokenBucket server = new TokenBucket(100, 200, 0);
    long step = SECOND / 1000;
    for (long t = 0; t < 10 * SECOND; t += step) {
      while (client.tryTake(t)) {
        assertThat(server.tryTake(t)).as("server bucket at t=%d ms", t / step).isTrue();
      }
    }
  }

  @Test
  void zeroRateMeansUnlimited() {
    TokenBucket bucket = new TokenBucket(0, 0, 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(bucket.tryTake(0)).isTrue();
    }
    assertThat(bucket.nanosUntilAvailable(0)).isZero();
  }
}
