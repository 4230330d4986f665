package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.ReconnectPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectDecisionTest {

  private static final ReconnectPolicy SDK =
      RealtimeConfig.builder().token("t").build().reconnect();
  private static final ReconnectPolicy DEVICE =
      RealtimeConfig.builder().token("t").reconnect(ReconnectPolicy.DEVICE).build().reconnect();

  @Test
  void sdkModeStopsOnTerminalCodesAndRetriesTheRest() {
    for (int code : new int[] {4001, 4003, 4012, 4020}) {
      assertThat(ReconnectDecision.afterClose(code, true, 0, 0, SDK).reconnect())
          .as("code %d", code)
          .isFalse();
    }
    for (int code : new int[] {1001, 1006, 1009, 4000, 4002, 4010, 4011}) {
      assertThat(ReconnectDecision.afterClose(code, true, 0, 0, SDK).reconnect())
          .as("code %d", code)
          .isTrue();
    }
  }

  @Test
  void overConnectionLimitWaitsAtLeastThirtySeconds() {
    assertThat(ReconnectDecision.afterClose(4010, true, 0, 0, SDK).floorMs()).isEqualTo(30_000);
    assertThat(ReconnectDecision.afterClose(4011, true, 0, 0, SDK).floorMs()).isZero();
  }

  @Test
  void goingAwayFloorIsKept() {
    assertThat(ReconnectDecision.afterClose(1001, true, 0, 2500, SDK).floorMs()).isEqualTo(2500);
  }

  @Test
  void firstConnectFailureIsNotRetriedExceptInDeviceMode() {
    assertThat(ReconnectDecision.afterClose(1006, false, 0, 0, SDK).reconnect()).isFalse();
    assertThat(ReconnectDecision.afterClose(1006, false, 0, 0, DEVICE).reconnect()).isTrue();
  }

  @Test
  void deviceModeRetriesTerminalCodesSlowlyAndForever() {
    for (int code : new int[] {4001, 4003, 4012, 4020}) {
      ReconnectDecision d = ReconnectDecision.afterClose(code, true, 1_000_000, 0, DEVICE);
      assertThat(d.reconnect()).as("code %d", code).isTrue();
      assertThat(d.floorMs()).isEqualTo(60_000);
    }
    assertThat(DEVICE.maxDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(DEVICE.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void attemptsAreBoundedAndAutoReconnectCanBeOff() {
    assertThat(ReconnectDecision.afterClose(1006, true, 99, 0, SDK).reconnect()).isTrue();
    assertThat(ReconnectDecision.afterClose(1006, true, 100, 0, SDK).reconnect()).isFalse();
    ReconnectPolicy off =
        RealtimeConfig.builder().token("t").autoReconnect(false).build().reconnect();
    assertThat(ReconnectDecision.afterClose(1006, true, 0, 0, off).reconnect()).isFalse();
  }
}
