package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonPrimitive;
import io.outpost.relay.Relay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The outbound token bucket keeps the client under the server's rate limit (close 4011). */
@Timeout(30)
class RateLimitTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private Relay relay;
  private RealtimeClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void pacingKeepsABurstUnderTheServersLimit() throws Exception {
    relay = TestRelay.start(b -> b.rateLimit(20, 40));
    RecordingListener events = new RecordingListener();
    client =
        RealtimeClient.create(TestRelay.config(relay, "chatty").sendRate(18, 36).build(), events);
    client.connect().get(10, TimeUnit.SECONDS);

    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      acks.add(client.publish("firehose", new JsonPrimitive(i)));
    }
    // The caller sees the queue instead of an error; the futures complete as the pacer releases
    // them.
    Awaitility.await().atMost(WAIT).until(() -> client.queuedRequests() > 0);
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    assertThat(client.queuedRequests()).isZero();
    assertThat(events.all(RecordingListener.Disconnected.class)).isEmpty();
    assertThat(client.state()).isEqualTo(State.CONNECTED);
  }

  @Test
  void withoutPacingTheClientSurvivesA4011() throws Exception {
    relay = TestRelay.start(b -> b.rateLimit(20, 40));
    RecordingListener events = new RecordingListener();
    client =
        RealtimeClient.create(TestRelay.config(relay, "reckless").sendRate(0, 0).build(), events);
    client.connect().get(10, TimeUnit.SECONDS);

    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      acks.add(client.publish("firehose", new JsonPrimitive(i)));
    }
    RecordingListener.Disconnected d = events.awaitOne(RecordingListener.Disconnected.class, WAIT);
    assertThat(d.code()).isEqualTo(4011);
    assertThat(d.willReconnect()).isTrue();
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null)
        .get(10, TimeUnit.SECONDS);
    assertThat(acks).anyMatch(CompletableFuture::isCompletedExceptionally);
    events.awaitOne(RecordingListener.Connected.class, c -> c.welcome().reconnect(), WAIT);
    client.publish("firehose", new JsonPrimitive("after")).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFullQueueRejectsInsteadOfGrowing() throws Exception {
    relay = TestRelay.start();
    client =
        RealtimeClient.create(
            TestRelay.config(relay, "slow").sendRate(2, 1).maxQueuedRequests(5).build());
    client.connect().get(10, TimeUnit.SECONDS);
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      acks.add(client.publish("x", new JsonPrimitive(i)));
    }
    Awaitility.await()
        .atMost(WAIT)
        .until(
            () -> acks.stream().filter(CompletableFuture::isCompletedExceptionally).count() >= 10);
    for (CompletableFuture<Void> f : acks) {
      if (f.isCompletedExceptionally()) {
        org.assertj.core.api.Assertions.assertThatThrownBy(f::join)
            .cause()
            .isInstanceOf(QueueFullException.class)
            .hasMessage("outbound queue is full (5 requests waiting for the send rate limit)");
      }
    }
    assertThat(client.queuedRequests()).isLessThanOrEqualTo(5);
  }
}
