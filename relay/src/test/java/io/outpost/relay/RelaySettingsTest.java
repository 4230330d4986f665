package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.relay.internal.TokenBucket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Defaults and validation of {@link RelaySettings}; the token bucket behind the rate limit. */
class RelaySettingsTest {

  @Test
  void defaultsAreTheProtocolNumbers() {
    RelaySettings s = RelaySettings.builder().build();

    assertThat(s.listen().getPort()).isEqualTo(8787);
    assertThat(s.ratePerSecond()).isEqualTo(100);
    assertThat(s.rateBurst()).isEqualTo(200);
    assertThat(s.pingInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(40));
    assertThat(s.maxMessageSize()).isEqualTo(65536);
    assertThat(s.goingAwayRetryAfter()).isEqualTo(Duration.ofMillis(1000));
    assertThat(s.connectAttemptsPerIp()).isEqualTo(60);
    assertThat(s.connectAttemptWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.limitLoopbackAttempts()).isFalse();
    assertThat(s.keys().firstSecretKey()).isPresent();
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> RelaySettings.builder().rateLimit(0, 10).build())
        .hasMessage("ratePerSecond must be a finite number > 0, got 0.0");
    assertThatThrownBy(() -> RelaySettings.builder().rateLimit(10, 0).build())
        .hasMessage("rateBurst must be >= 1, got 0");
    assertThatThrownBy(() -> RelaySettings.builder().idleTimeout(Duration.ofSeconds(-1)).build())
        .hasMessage("idleTimeout must not be negative, got PT-1S");
    assertThatThrownBy(() -> RelaySettings.builder().maxMessageSize(10).build())
        .hasMessage("maxMessageSize must be >= 1024 bytes, got 10");
    assertThatThrownBy(
            () -> RelaySettings.builder().connectAttemptLimit(-1, Duration.ofSeconds(1)).build())
        .hasMessage("connectAttemptsPerIp must be >= 0 (0 = off), got -1");
  }

  @Test
  void tokenBucketAllowsTheBurstThenTheRate() {
    long t = 0;
    TokenBucket bucket = new TokenBucket(100, 200, t);
    for (int i = 0; i < 200; i++) {
      assertThat(bucket.tryTake(t)).isTrue();
    }
    assertThat(bucket.tryTake(t)).isFalse();
    t += 10_000_000; // 10 ms refill one token at 100/s
    assertThat(bucket.tryTake(t)).isTrue();
    assertThat(bucket.tryTake(t)).isFalse();
    t += 60_000_000_000L; // a minute later the bucket is full again, not fuller
    for (int i = 0; i < 200; i++) {
      assertThat(bucket.tryTake(t)).isTrue();
    }
    assertThat(bucket.tryTake(t)).isFalse();
  }
}
