package io.outpost.agent.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdNotifyTest {
  @TempDir Path dir;

  @Test
  void sendsToAPathSocket() throws Exception {
    try (NotifySocket systemd = new NotifySocket(dir.resolve("notify").toString());
        SdNotify sd = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address))) {
      assertThat(sd.send("READY=1\nSTATUS=link connected, 0 messages buffered")).isTrue();
      assertThat(systemd.receiveUntil(m -> true, Duration.ofSeconds(5)))
          .containsExactly("READY=1\nSTATUS=link connected, 0 messages buffered");
    }
  }

  @Test
  void sendsToAnAbstractNamespaceSocket() throws Exception {
    String name = "@outpost-test-" + UUID.randomUUID();
    try (NotifySocket systemd = new NotifySocket(name);
        SdNotify sd = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", name))) {
      assertThat(sd.send("WATCHDOG=1")).isTrue();
      assertThat(sd.send("STOPPING=1")).isTrue();
      assertThat(systemd.receiveUntil(m -> m.equals("STOPPING=1"), Duration.ofSeconds(5)))
          .containsExactly("WATCHDOG=1", "STOPPING=1");
    }
  }

  @Test
  void withoutNotifySocketNothingIsSentAndNothingFails() {
    SdNotify sd = SdNotify.fromEnvironment(Map.of());
    assertThat(sd.enabled()).isFalse();
    assertThat(sd.send("READY=1")).isFalse();
  }

  @Test
  void aMissingListenerIsReportedNotThrown() {
    try (SdNotify sd =
        SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", dir.resolve("nobody").toString()))) {
      assertThat(sd.send("READY=1")).isFalse();
    }
  }

  @Test
  void theWatchdogAppliesOnlyToTheProcessItNames() {
    Map<String, String> mine =
        Map.of(
            "NOTIFY_SOCKET", "@x",
            "WATCHDOG_USEC", "30000000",
            "WATCHDOG_PID", Long.toString(ProcessHandle.current().pid()));
    assertThat(SdNotify.fromEnvironment(mine).watchdog()).isEqualTo(Duration.ofSeconds(30));
    Map<String, String> other =
        Map.of("NOTIFY_SOCKET", "@x", "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "1");
    assertThat(SdNotify.fromEnvironment(other).watchdog()).isNull();
  }
}
