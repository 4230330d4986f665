package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.realtime.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class LimitsTest {

  @Test
  void acceptsOrdinaryChannelsAndPatterns() {
    assertThatCode(() -> Limits.checkChannel("devices/pi-1/events")).doesNotThrowAnyException();
    assertThatCode(() -> Limits.checkChannel("devices/*/events")).doesNotThrowAnyException();
    assertThatCode(() -> Limits.checkChannel("x".repeat(256))).doesNotThrowAnyException();
    assertThatCode(() -> Limits.checkChannel("salle-é")).doesNotThrowAnyException();
  }

  @Test
  void rejectsBadChannelsWithTheRule() {
    assertThatThrownBy(() -> Limits.checkChannel(""))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("channel must be a non-empty string");
    assertThatThrownBy(() -> Limits.checkChannel("x".repeat(257)))
        .hasMessage("channel exceeds 256-character cap (got 257)");
    assertThatThrownBy(() -> Limits.checkChannel("a\nb"))
        .hasMessage("channel contains control character U+000A at index 1");
    assertThatThrownBy(() -> Limits.checkChannel("a\u0085")).hasMessageContaining("U+0085");
    assertThatThrownBy(() -> Limits.checkChannel("_Metered/x"))
        .hasMessageContaining("reserved prefix");
    assertThatThrownBy(() -> Limits.checkChannel("_SYSTEM/x"))
        .hasMessageContaining("reserved prefix");
    assertThatThrownBy(() -> Limits.checkChannel("_internal/x"))
        .hasMessageContaining("reserved prefix");
    assertThatCode(() -> Limits.checkChannel("_internalx/x")).doesNotThrowAnyException();
  }

  @Test
  void peerIdsArePrintableAsciiUpTo128() {
    assertThatCode(() -> Limits.checkPeerId("u_alice_123")).doesNotThrowAnyException();
    assertThatCode(() -> Limits.checkPeerId("p".repeat(128))).doesNotThrowAnyException();
    assertThatThrownBy(() -> Limits.checkPeerId("p".repeat(129)))
        .hasMessage("peerId exceeds 128-character cap (got 129)");
    assertThatThrownBy(() -> Limits.checkPeerId("bob\t")).hasMessageContaining("printable ASCII");
    assertThatThrownBy(() -> Limits.checkPeerId("bjørn")).hasMessageContaining("U+00F8");
    assertThatThrownBy(() -> Limits.checkPeerId(null))
        .hasMessage("peerId must be a non-empty string");
  }

  @Test
  void requestIdsUpTo128() {
    assertThatCode(() -> Limits.checkRequestId("r".repeat(128))).doesNotThrowAnyException();
    assertThatThrownBy(() -> Limits.checkRequestId("r".repeat(129)))
        .hasMessage("requestId exceeds 128-character cap (got 129)");
  }
}
