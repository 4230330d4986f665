package io.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The glob rules and the matching table of protocol.md section 8. */
class ChannelPatternTest {

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // the table of section 8
        "app_abc/*       | app_abc/room-1   | true",
        "app_abc/*       | app_abc/sub/deep | false",
        "app_abc/*       | other/x          | false",
        "app_abc/**      | app_abc/room-1   | true",
        "app_abc/**      | app_abc/sub/deep | true",
        "app_abc/**      | other/x          | false",
        "**              | app_abc/room-1   | true",
        "**              | app_abc/sub/deep | true",
        "**              | other/x          | true",
        "app_abc/room-*  | app_abc/room-1   | true",
        "app_abc/room-*  | app_abc/sub/deep | false",
        "app_abc/room-*  | other/x          | false",
        // more
        "room-*          | room-42          | true",
        "room-*          | admin-1          | false",
        "room-*          | room-            | true",
        "devices/*/events| devices/d1/events| true",
        "devices/*/events| devices/a/b/events| false",
        "a\\*b           | a*b              | true",
        "a\\*b           | axb              | false",
        "a\\\\b          | a\\b             | true",
        "Room-1          | room-1           | false",
        "*               | x/y              | false",
        "x.y             | xzy              | false",
        "(a+b)?[x]       | (a+b)?[x]        | true",
        "(a+b)?[x]       | aab              | false",
      })
  void matches(String pattern, String channel, boolean expected) {
    assertThat(ChannelPattern.compile(pattern.trim()).matches(channel.trim())).isEqualTo(expected);
  }

  @Test
  void aBackslashMustEscapeAStarOrABackslash() {
    assertThatThrownBy(() -> ChannelPattern.compile("a\\b"))
        .hasMessage("pattern \"a\\b\": a backslash must be followed by * or \\ (at index 1)");
    assertThatThrownBy(() -> ChannelPattern.compile("trailing\\"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void escapedStarsAreNotWildcards() {
    assertThat(ChannelPattern.compile("a\\*").hasWildcard()).isFalse();
    assertThat(ChannelPattern.compile("a*").hasWildcard()).isTrue();
  }
}
