package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.relay.Relay;
import io.outpost.relay.TokenRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Token providers: bounded by a timeout, failures reported after three in a row, blocking adapter.
 */
@Timeout(30)
class TokenProviderTest {

  private Relay relay;

  @BeforeEach
  void start() {
    relay = TestRelay.start();
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  void hangingProviderTimesOut() {
    try (RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder()
                .url(relay.webSocketOrigin())
                .tokenProvider(CompletableFuture::new)
                .tokenProviderTimeout(Duration.ofMillis(300))
                .build())) {
      assertThatThrownBy(() -> client.connect().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ConnectFailedException.class)
          .hasMessage(
              "token provider failed: TimeoutException: token provider did not answer within 300 ms");
    }
  }

  @Test
  void threeConsecutiveFailuresAreReportedWhileTheDeviceKeepsTrying() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RecordingListener events = new RecordingListener();
    RealtimeConfig config =
        RealtimeConfig.builder()
            .url(relay.webSocketOrigin())
            .tokenProvider(
                () ->
                    calls.incrementAndGet() <= 4
                        ? CompletableFuture.failedFuture(new IllegalStateException("backend down"))
                        : CompletableFuture.completedFuture(
                            relay.mintToken(TokenRequest.builder("pi-3").build())))
            .reconnect(ReconnectPolicy.DEVICE)
            .reconnectInitialDelay(Duration.ofMillis(50))
            .reconnectMaxDelay(Duration.ofMillis(200))
            .build();
    try (RealtimeClient client = RealtimeClient.create(config, events)) {
      Welcome welcome = client.connect().get(10, TimeUnit.SECONDS);
      assertThat(welcome.peerId()).isEqualTo("pi-3");
      assertThat(events.all(RecordingListener.TokenFailure.class))
          .extracting(RecordingListener.TokenFailure::consecutiveFailures)
          .containsExactly(3, 4);
      assertThat(events.all(RecordingListener.TokenFailure.class).get(0).error())
          .hasMessageContaining("backend down");
    }
  }

  @Test
  void blockingProvidersRunOffTheEventThread() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String[] thread = new String[1];
    TokenProvider blocking =
        TokenProvider.blocking(
            () -> {
              calls.incrementAndGet();
              thread[0] = Thread.currentThread().getName();
              return relay.mintToken(TokenRequest.builder("blocky").build());
            });
    try (RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder()
                .url(relay.webSocketOrigin())
                .tokenProvider(blocking)
                .build())) {
      assertThat(client.connect().get(10, TimeUnit.SECONDS).peerId()).isEqualTo("blocky");
      assertThat(thread[0]).isEqualTo("realtime-token-fetch");
      assertThat(calls.get()).isEqualTo(1);
    }
  }
}
