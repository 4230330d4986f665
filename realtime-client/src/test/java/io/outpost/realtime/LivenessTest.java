package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonPrimitive;
import io.outpost.realtime.internal.DefaultRealtimeClient;
import io.outpost.relay.Relay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keepalive pings, the inactivity watchdog on a half-open link, the welcome timeout, garbage
 * frames.
 */
@Timeout(30)
class LivenessTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

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
  void halfOpenLinkIsDetectedByTheWatchdogAndReplaced() throws Exception {
    relay = TestRelay.start();
    RecordingListener events = new RecordingListener();
    try (TcpProxy proxy = new TcpProxy(relay.port())) {
      client =
          RealtimeClient.create(
              TestRelay.config(relay, "pi-9")
                  .url("ws://127.0.0.1:" + proxy.port())
                  .inactivityTimeout(Duration.ofSeconds(3))
                  .build(),
              events);
      client.connect().get(10, TimeUnit.SECONDS);
      client.subscribe("cmds").get(10, TimeUnit.SECONDS);

      proxy.freezeExisting();
      CompletableFuture<Void> inFlight = client.publish("events", new JsonPrimitive("lost?"));

      RecordingListener.Disconnected d =
          events.awaitOne(RecordingListener.Disconnected.class, WAIT);
      assertThat(d.code()).isEqualTo(4000);
      assertThat(d.willReconnect()).isTrue();
      assertThatThrownBy(() -> inFlight.get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(
              DisconnectedException.class, e -> assertThat(e.closeCode()).isEqualTo(4000));

      events.awaitOne(RecordingListener.Connected.class, c -> c.welcome().reconnect(), WAIT);
      assertThat(proxy.connectionsAccepted()).isEqualTo(2);
      // The subscription was replayed on the new link.
      Awaitility.await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                RealtimeClient other =
                    RealtimeClient.create(TestRelay.config(relay, "ops").build());
                try (other) {
                  other.connect().get(5, TimeUnit.SECONDS);
                  other.publish("cmds", new JsonPrimitive("reboot")).get(5, TimeUnit.SECONDS);
                  events.awaitOne(ChannelMessage.class, Duration.ofSeconds(2));
                }
              });
    }
  }

  @Test
  void unansweredRequestsTimeOut() throws Exception {
    relay = TestRelay.start();
    try (TcpProxy proxy = new TcpProxy(relay.port())) {
      client =
          RealtimeClient.create(
              TestRelay.config(relay, "pi-10")
                  .url("ws://127.0.0.1:" + proxy.port())
                  .ackTimeout(Duration.ofSeconds(1))
                  .build());
      client.connect().get(10, TimeUnit.SECONDS);
      proxy.freezeExisting();
      long start = System.nanoTime();
      CompletableFuture<Void> lost = client.publish("events", new JsonPrimitive(1));
      assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(AckTimeoutException.class)
          .hasMessageEndingWith("within 1000 ms");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(900L, 5000L);
      assertThat(client.state())
          .as("a lost ack alone does not drop the link")
          .isEqualTo(State.CONNECTED);
    }
  }

  @Test
  void idleConnectionStaysUpBecauseOfPings() throws Exception {
    // The relay closes sockets silent for 2 s; the client pings every second when idle.
    relay =
        TestRelay.start(
            b -> b.idleTimeout(Duration.ofSeconds(2)).pingInterval(Duration.ofSeconds(30)));
    RecordingListener events = new RecordingListener();
    client =
        RealtimeClient.create(
            TestRelay.config(relay, "quiet").inactivityTimeout(Duration.ofSeconds(3)).build(),
            events);
    client.connect().get(10, TimeUnit.SECONDS);
    Awaitility.await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(7))
        .until(() -> events.all(RecordingListener.Disconnected.class).isEmpty());
    assertThat(client.state()).isEqualTo(State.CONNECTED);
  }

  @Test
  void welcomeTimeoutFailsTheConnect() throws Exception {
    try (FakeWebSocketServer silent = new FakeWebSocketServer(0)) {
      client =
          RealtimeClient.create(
              RealtimeConfig.builder()
                  .url("ws://127.0.0.1:" + silent.port())
                  .token("any-token-value")
                  .welcomeTimeout(Duration.ofMillis(700))
                  .build());
      long start = System.nanoTime();
      assertThatThrownBy(() -> client.connect().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(
              ConnectFailedException.class,
              e -> {
                assertThat(e.closeCode()).isEqualTo(4000);
                assertThat(e.getMessage()).isEqualTo("no welcome within 700 ms");
              });
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(600);
      assertThat(client.state()).isEqualTo(State.CLOSED);
    }
  }

  @Test
  void garbageFramesAreIgnoredAndLogged() throws Exception {
    relay = TestRelay.start();
    RecordingListener events = new RecordingListener();
    client = RealtimeClient.create(TestRelay.config(relay, "victim").build(), events);
    client.connect().get(10, TimeUnit.SECONDS);
    for (String garbage :
        new String[] {
          "garbage",
          "not json{",
          "[1,2]",
          "{\"type\":\"message\"}",
          "{\"type\":\"welcome\",\"peerId\":\"evil\",\"serverTime\":1,\"maxMessageSize\":1}",
          "{\"type\":\"ack\",\"requestId\":\"nobody-asked\"}",
          "{\"type\":\"error\",\"code\":\"unknown_type\"}",
          "{\"type\":\"surprise\"}"
        }) {
      assertThat(relay.sendRaw("victim", garbage)).isEqualTo(1);
    }
    relay.sendRaw(
        "victim", "{\"type\":\"error\",\"code\":\"over_message_quota\",\"message\":\"quota\"}");
    assertThat(events.awaitOne(ServerError.class, WAIT).code()).isEqualTo("over_message_quota");
    client.publish("still-works", new JsonPrimitive(1)).get(10, TimeUnit.SECONDS);
    assertThat(client.welcome().maxMessageSize())
        .as("a second welcome is ignored")
        .isEqualTo(65536);
    assertThat(events.all(ServerError.class)).hasSize(1);
    assertThat(events.all(RecordingListener.Disconnected.class)).isEmpty();
  }

  @Test
  void aListenerThatCannotKeepUpCostsTheConnectionNotUnboundedMemory() throws Exception {
    relay = TestRelay.start();
    RecordingListener events = new RecordingListener();
    CountDownLatch release = new CountDownLatch(1);
    client =
        RealtimeClient.create(
            TestRelay.config(relay, "slowpoke").build(),
            new RealtimeListener() {
              @Override
              public void onDirect(DirectMessage message) {
                try {
                  // A listener stuck in a callback: everything after it waits for the event thread.
                  release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }

              @Override
              public void onDisconnected(int code, String reason, boolean willReconnect) {
                events.onDisconnected(code, reason, willReconnect);
              }

              @Override
              public void onConnected(Welcome welcome) {
                events.onConnected(welcome);
              }
            });
    client.connect().get(10, TimeUnit.SECONDS);
    String frame = "{\"type\":\"direct\",\"from\":\"x\",\"data\":\"" + "a".repeat(900_000) + "\"}";
    for (int i = 0; i < 24; i++) { // ~21.6 M characters > the 16 Mi backlog bound
      relay.sendRaw("slowpoke", frame);
    }
    // The overflow is noticed on the transport thread, and acted on once the event thread is free
    // again.
    DefaultRealtimeClient internals = (DefaultRealtimeClient) client;
    Awaitility.await().atMost(WAIT).until(() -> internals.inboundOverflows() == 1);
    assertThat(events.all(RecordingListener.Disconnected.class)).isEmpty();
    release.countDown();
    RecordingListener.Disconnected d = events.awaitOne(RecordingListener.Disconnected.class, WAIT);
    assertThat(d.code()).isEqualTo(1008);
    assertThat(d.willReconnect()).isTrue();
    events.awaitOne(RecordingListener.Connected.class, c -> c.welcome().reconnect(), WAIT);
  }

  @Test
  void framesOverOneMegabyteAreDroppedAndTheConnectionReplaced() throws Exception {
    relay = TestRelay.start();
    RecordingListener events = new RecordingListener();
    client = RealtimeClient.create(TestRelay.config(relay, "victim").build(), events);
    client.connect().get(10, TimeUnit.SECONDS);
    String huge =
        "{\"type\":\"direct\",\"from\":\"x\",\"data\":\"" + "a".repeat(1024 * 1024) + "\"}";
    relay.sendRaw("victim", huge);
    RecordingListener.Disconnected d = events.awaitOne(RecordingListener.Disconnected.class, WAIT);
    assertThat(d.code()).isEqualTo(1009);
    assertThat(d.willReconnect()).isTrue();
    events.awaitOne(RecordingListener.Connected.class, c -> c.welcome().reconnect(), WAIT);
    assertThat(events.all(DirectMessage.class)).isEmpty();
  }
}
