package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFrom500msToTheCapWithoutJitter() {
    Backoff backoff = new Backoff(500, 2, 30_000, 0, new Random(1));
    assertThat(backoff.delayMs(1, 0)).isEqualTo(500);
    assertThat(backoff.delayMs(2, 0)).isEqualTo(1000);
    assertThat(backoff.delayMs(3, 0)).isEqualTo(2000);
    assertThat(backoff.delayMs(7, 0)).isEqualTo(30_000);
    assertThat(backoff.delayMs(100, 0)).isEqualTo(30_000);
  }

  @Test
  void jitterStaysWithinPlusMinusTwentyPercentAndSpreads() {
    Backoff backoff = new Backoff(500, 2, 30_000, 0.2, new Random(42));
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 10_000; i++) {
      long d = backoff.delayMs(4, 0);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isBetween(3200L, 3300L);
    assertThat(max).isBetween(4700L, 4800L);
  }

  @Test
  void floorLiftsTheDelayBeforeJitter() {
    Backoff backoff = new Backoff(500, 2, 30_000, 0.2, new Random(7));
    for (int i = 0; i < 1000; i++) {
      assertThat(backoff.delayMs(1, 30_000)).isBetween(24_000L, 36_000L);
    }
    Backoff exact = new Backoff(500, 2, 30_000, 0, new Random(7));
    assertThat(exact.delayMs(1, 1000)).isEqualTo(1000);
    assertThat(exact.delayMs(5, 1000)).isEqualTo(8000);
  }

  @Test
  void deviceModeCapsAtSixtySeconds() {
    Backoff backoff = new Backoff(500, 2, 60_000, 0, new Random(1));
    assertThat(backoff.delayMs(8, 0)).isEqualTo(60_000);
    assertThat(backoff.delayMs(1_000_000, 0)).isEqualTo(60_000);
  }
}
