package io.outpost.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesFromFirstUpToMaxAndResetsAfterASuccess() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    assertThat(b.fail()).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.fail()).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.fail()).isEqualTo(Duration.ofSeconds(4));
    for (int i = 0; i < 100; i++) {
      b.fail();
    }
    assertThat(b.fail()).as("capped, never overflowing").isEqualTo(Duration.ofSeconds(60));
    assertThat(b.failures()).isEqualTo(104);
    b.reset();
    assertThat(b.failures()).isZero();
    assertThat(b.fail()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void rejectsAMaxBelowTheFirstWait() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
