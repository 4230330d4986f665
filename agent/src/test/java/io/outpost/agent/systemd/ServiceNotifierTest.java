package io.outpost.agent.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.TestConfigs;
import io.outpost.agent.status.StatusSnapshot;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ServiceNotifierTest {
  private static final Instant NOW = Instant.parse("2026-11-23T03:00:00Z");
  @TempDir Path dir;

  private static StatusSnapshot snapshot(
      Instant lastRead, boolean writable, boolean connected, long pending, Instant lastAck) {
    return new StatusSnapshot(
        "running",
        NOW,
        15_000,
        1,
        "pi-1",
        "lab",
        "0.1.0",
        NOW.minusSeconds(600),
        new StatusSnapshot.Sampling(2, lastRead, 30_000),
        new StatusSnapshot.Store(pending, writable, writable ? null : "disk I/O error"),
        new StatusSnapshot.LinkState(
            connected ? "connected" : "reconnecting", connected, NOW.minusSeconds(500)),
        new StatusSnapshot.UplinkState(lastAck),
        135_000,
        null,
        null,
        null);
  }

  @Test
  void theWatchdogIsPettedOnlyWhileThePipelineProgresses() {
    Instant recent = NOW.minusSeconds(1);
    assertThat(ServiceNotifier.stall(snapshot(recent, true, true, 3, recent), NOW)).isNull();
    // Offline and buffering is progress: a restart would not bring the network back.
    assertThat(ServiceNotifier.stall(snapshot(recent, true, false, 300, null), NOW)).isNull();
    assertThat(ServiceNotifier.stall(snapshot(NOW.minusSeconds(95), true, true, 0, recent), NOW))
        .isEqualTo("no sensor read for 95 s");
    assertThat(ServiceNotifier.stall(snapshot(recent, false, true, 0, recent), NOW))
        .isEqualTo("the outbox is not writable: disk I/O error");
    assertThat(ServiceNotifier.stall(snapshot(recent, true, true, 40, NOW.minusSeconds(400)), NOW))
        .isEqualTo("connected with 40 messages waiting but no ack for 400 s");
    assertThat(ServiceNotifier.statusLine(snapshot(recent, true, false, 7, null)))
        .isEqualTo("link reconnecting, 7 messages buffered");
  }

  @Test
  void outpostRunSpeaksSdNotifyToARealSocket() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Map<String, Object> cfg =
        TestConfigs.againstRelay(
            dir,
            "pi-notify",
            Map.of(
                "url",
                "ws://127.0.0.1:" + closedPort,
                "token",
                Map.of("value", "not-a-real-token")),
            "simulated");
    Path config = TestConfigs.writeConfig(dir, cfg);
    String name = "@outpost-run-" + UUID.randomUUID();
    try (NotifySocket systemd = new NotifySocket(name)) {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-XX:+UseSerialGC",
                  "-Xmx64m",
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "io.outpost.agent.cli.Main",
                  "run",
                  "--config",
                  config.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.redirectOutput(dir.resolve("agent.log").toFile());
      pb.environment().put("NOTIFY_SOCKET", name);
      // 1 s: the notifier pets every 500 ms.
      pb.environment().put("WATCHDOG_USEC", "1000000");
      Process p = pb.start();
      try {
        List<String> got =
            systemd.receiveUntil(m -> m.startsWith("WATCHDOG=1"), Duration.ofSeconds(30));
        assertThat(got).as("datagrams; log: %s", dir.resolve("agent.log")).isNotEmpty();
        assertThat(got.get(0)).startsWith("READY=1\nSTATUS=link ");
        assertThat(got.get(got.size() - 1))
            .matches("WATCHDOG=1\nSTATUS=link (connecting|reconnecting), \\d+ messages buffered");
        p.destroy();
        assertThat(systemd.receiveUntil(m -> m.startsWith("STOPPING=1"), Duration.ofSeconds(20)))
            .anyMatch(m -> m.startsWith("STOPPING=1"));
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      } finally {
        p.destroyForcibly();
      }
    }
  }
}
