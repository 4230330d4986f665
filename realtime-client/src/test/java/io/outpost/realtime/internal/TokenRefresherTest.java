package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenRefresherTest {

  @Test
  void refreshesTheLeadBeforeExpiryOrAtHalfTimeForShortTokens() {
    // An hour-long token with a 60 s lead: refreshed 59 minutes in.
    assertThat(TokenRefresher.delayMs(3_600_000, 60_000)).isEqualTo(3_540_000);
    // A 90 s token cannot spare 60 s twice: refreshed half-way.
    assertThat(TokenRefresher.delayMs(90_000, 60_000)).isEqualTo(45_000);
    assertThat(TokenRefresher.delayMs(120_000, 60_000)).isEqualTo(60_000);
  }
}
