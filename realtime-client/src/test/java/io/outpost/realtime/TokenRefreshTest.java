package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonPrimitive;
import io.outpost.relay.Relay;
import io.outpost.relay.TokenRequest;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Make-before-break: short-lived tokens are replaced without losing a message. */
@Timeout(40)
class TokenRefreshTest {

  private Relay relay;

  @AfterEach
  void stop() {
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void shortLivedTokensAreRefreshedWithoutDroppingAMessage() throws Exception {
    relay = TestRelay.start();
    AtomicInteger fetches = new AtomicInteger();
    RecordingListener events = new RecordingListener();
    RealtimeClient watcher =
        RealtimeClient.create(
            TestRelay.config(relay, "watcher")
                .tokenProvider(
                    () -> {
                      fetches.incrementAndGet();
                      return CompletableFuture.completedFuture(
                          relay.mintToken(
                              TokenRequest.builder("watcher").ttl(Duration.ofSeconds(5)).build()));
                    })
                .build(),
            events);
    RealtimeClient pub = RealtimeClient.create(TestRelay.config(relay, "pub").build());
    try (watcher;
        pub) {
      watcher.connect().get(10, TimeUnit.SECONDS);
      watcher.subscribe("stream").get(10, TimeUnit.SECONDS);
      pub.connect().get(10, TimeUnit.SECONDS);

      // ~11 s of traffic at 25 msg/s spans several 5 s token lifetimes.
      int count = 275;
      for (int i = 0; i < count; i++) {
        pub.publish("stream", new JsonPrimitive(i)).get(5, TimeUnit.SECONDS);
        Thread.sleep(40); // pacing the producer, not waiting for a result
      }
      Set<Integer> seen = new TreeSet<>();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                events.all(ChannelMessage.class).forEach(m -> seen.add(m.data().getAsInt()));
                return seen.size() == count;
              });
      assertThat(seen).hasSize(count);
      assertThat(events.all(RecordingListener.Disconnected.class))
          .as("never lost the link")
          .isEmpty();
      assertThat(events.all(RecordingListener.Connected.class, c -> c.welcome().reconnect()))
          .as("switched to refreshed connections")
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(fetches.get()).isGreaterThanOrEqualTo(3);
      assertThat(watcher.state()).isEqualTo(State.CONNECTED);
      assertThat(relay.connectedPeers()).contains("watcher");
    }
  }

  @Test
  void withoutProactiveRefreshTheExpiryCloseLeadsToAReconnectWithAFreshToken() throws Exception {
    relay = TestRelay.start();
    RecordingListener events = new RecordingListener();
    AtomicInteger fetches = new AtomicInteger();
    // Refresh disabled: the relay's 4002 at expiry is handled by reconnecting with a fresh token.
    RealtimeClient client =
        RealtimeClient.create(
            TestRelay.config(relay, "lazy")
                .tokenRefreshLead(Duration.ZERO)
                .tokenProvider(
                    () -> {
                      fetches.incrementAndGet();
                      return CompletableFuture.completedFuture(
                          relay.mintToken(
                              TokenRequest.builder("lazy").ttl(Duration.ofSeconds(2)).build()));
                    })
                .build(),
            events);
    try (client) {
      client.connect().get(10, TimeUnit.SECONDS);
      RecordingListener.Disconnected d =
          events.awaitOne(RecordingListener.Disconnected.class, Duration.ofSeconds(10));
      assertThat(d.code()).isEqualTo(4002);
      assertThat(d.willReconnect()).isTrue();
      events.awaitOne(
          RecordingListener.Connected.class, c -> c.welcome().reconnect(), Duration.ofSeconds(10));
      assertThat(fetches.get()).isGreaterThanOrEqualTo(2);
    }
  }
}
