package io.outpost.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {
  @Test
  void writesWhatToStringWrites() {
    for (String s :
        new String[] {
          "1970-01-01T00:00:00Z",
          "1970-01-01T00:00:00.000000001Z",
          "2000-02-29T23:59:59.100Z",
          "2024-02-29T12:00:00.000120Z",
          "2026-12-01T20:44:14.120Z",
          "2100-03-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "1969-12-31T23:59:59Z",
          "+10000-01-01T00:00:00Z"
        }) {
      Instant t = Instant.parse(s);
      assertThat(IsoInstant.format(t)).isEqualTo(t.toString()).isEqualTo(s);
    }
    SplittableRandom random = new SplittableRandom(14);
    for (int i = 0; i < 100_000; i++) {
      long seconds = random.nextLong(-86_400L * 365, 253_402_300_800L + 86_400L * 365);
      int nano =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant t = Instant.ofEpochSecond(seconds, nano);
      assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
    }
  }
}
