package io.outpost.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void aForgedLogLineStaysOnItsLine() {
    String name = "ping\n2026-01-01 00:00:00.000 ERROR [main] FAKE LOG LINE";
    assertThat(LogSafe.of(name))
        .isEqualTo("ping\\n2026-01-01 00:00:00.000 ERROR [main] FAKE LOG LINE")
        .doesNotContain("\n");
  }

  @Test
  void terminalEscapesAndOtherControlsAreEscaped() {
    assertThat(LogSafe.of("\u001b[31mred\u001b[0m\r\u0000\u009b2J\u2028\u202e"))
        .isEqualTo("\\u001b[31mred\\u001b[0m\\r\\u0000\\u009b2J\\u2028\\u202e");
  }

  @Test
  void aBackslashIsDoubledSoAnEscapeCannotBeFaked() {
    assertThat(LogSafe.of("a\\nb")).isEqualTo("a\\\\nb");
  }

  @Test
  void longValuesAreCutAndSayHowMuchWasLeftOut() {
    assertThat(LogSafe.of("x".repeat(15_000))).isEqualTo("x".repeat(200) + "…(14800 more)");
    assertThat(LogSafe.of("abcdef", 3)).isEqualTo("abc…(3 more)");
  }

  @Test
  void plainValuesAreReturnedAsTheyAre() {
    String s = "fleets/lab/commands";
    assertThat(LogSafe.of(s)).isSameAs(s);
    assertThat(LogSafe.of(null)).isEqualTo("null");
    assertThat(LogSafe.of("température ✓")).isEqualTo("température ✓");
  }
}
