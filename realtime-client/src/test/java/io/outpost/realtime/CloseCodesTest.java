package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Close codes the relay never sends, from a scripted server that welcomes and then closes. */
@Timeout(30)
class CloseCodesTest {

  private static RealtimeConfig.Builder config(FakeWebSocketServer server) {
    return RealtimeConfig.builder()
        .url("ws://127.0.0.1:" + server.port())
        .token("fake-token-123456")
        .reconnectInitialDelay(Duration.ofMillis(50))
        .reconnectMaxDelay(Duration.ofMillis(200));
  }

  @Test
  void accountSuspendedIsTerminal() throws Exception {
    RecordingListener events = new RecordingListener();
    try (FakeWebSocketServer server = new FakeWebSocketServer(4012, true);
        RealtimeClient client = RealtimeClient.create(config(server).build(), events)) {
      client.connect().get(10, TimeUnit.SECONDS);
      RecordingListener.Disconnected d =
          events.awaitOne(RecordingListener.Disconnected.class, Duration.ofSeconds(10));
      assertThat(d).isEqualTo(new RecordingListener.Disconnected(4012, "", false));
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> client.state() == State.CLOSED);
      assertThat(server.upgrades.get()).isEqualTo(1);
    }
  }

  @Test
  void deviceModeRetriesASuspendedAccountAfterTheTerminalDelay() throws Exception {
    RecordingListener events = new RecordingListener();
    try (FakeWebSocketServer server = new FakeWebSocketServer(4012, true);
        RealtimeClient client =
            RealtimeClient.create(
                config(server)
                    .reconnect(ReconnectPolicy.DEVICE)
                    .terminalRetryDelay(Duration.ofSeconds(1))
                    .build(),
                events)) {
      client.connect().get(10, TimeUnit.SECONDS);
      long first = System.nanoTime();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.upgrades.get() >= 2);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first))
          .isGreaterThanOrEqualTo(800);
      assertThat(events.all(RecordingListener.Disconnected.class).get(0).willReconnect()).isTrue();
    }
  }

  @Test
  void overTheConnectionLimitTheNextAttemptWaitsAtLeastThirtySeconds() throws Exception {
    RecordingListener events = new RecordingListener();
    try (FakeWebSocketServer server = new FakeWebSocketServer(4010, true);
        RealtimeClient client = RealtimeClient.create(config(server).build(), events)) {
      client.connect().get(10, TimeUnit.SECONDS);
      RecordingListener.Disconnected d =
          events.awaitOne(RecordingListener.Disconnected.class, Duration.ofSeconds(10));
      assertThat(d.code()).isEqualTo(4010);
      assertThat(d.willReconnect()).isTrue();
      // Normal backoff would retry after ~50 ms; 4010 holds it back for >= 24 s (30 s -20 %
      // jitter).
      Awaitility.await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(4))
          .until(() -> server.upgrades.get() == 1 && client.state() == State.RECONNECTING);
    }
  }
}
