package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.outpost.relay.Relay;
import io.outpost.relay.TokenRequest;
import io.outpost.testsupport.RelayExtension;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connect, subscribe, publish, send, presence and request errors against a real relay over
 * loopback.
 */
@Timeout(30)
class MessagingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  final RelayExtension<Relay> server = TestRelay.extension(b -> b.maxMessageSize(4096));

  private Relay relay;
  private final RecordingListener aliceEvents = new RecordingListener();
  private final RecordingListener bobEvents = new RecordingListener();
  private RealtimeClient alice;
  private RealtimeClient bob;

  @BeforeEach
  void start() {
    relay = server.relay();
    alice = RealtimeClient.create(TestRelay.config(relay, "alice").build(), aliceEvents);
    bob = RealtimeClient.create(TestRelay.config(relay, "bob").build(), bobEvents);
  }

  @AfterEach
  void stop() {
    alice.close();
    bob.close();
  }

  @Test
  void connectCompletesAtWelcome() throws Exception {
    assertThat(alice.state()).isEqualTo(State.IDLE);
    Welcome welcome = alice.connect().get(10, TimeUnit.SECONDS);
    assertThat(welcome.peerId()).isEqualTo("alice");
    assertThat(welcome.maxMessageSize()).isEqualTo(4096);
    assertThat(welcome.expiresAt()).isPresent();
    assertThat(welcome.reconnect()).isFalse();
    assertThat(alice.state()).isEqualTo(State.CONNECTED);
    assertThat(alice.welcome()).isEqualTo(welcome);
    assertThat(aliceEvents.all(RecordingListener.StateChange.class))
        .containsExactly(
            new RecordingListener.StateChange(State.IDLE, State.CONNECTING),
            new RecordingListener.StateChange(State.CONNECTING, State.CONNECTED));
    assertThatThrownBy(() -> alice.connect().join())
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "connect() is allowed only in IDLE or CLOSED, the client is CONNECTED");
  }

  @Test
  void publishReachesOtherSubscribersWithSenderMetadata() throws Exception {
    alice.connect().get(10, TimeUnit.SECONDS);
    bob.connect().get(10, TimeUnit.SECONDS);
    bob.subscribe("room-1", SubscribeOptions.withSenderMetadata()).get(10, TimeUnit.SECONDS);
    alice.subscribe("room-1").get(10, TimeUnit.SECONDS);

    alice.publish("room-1", JsonParser.parseString("{\"text\":\"hi\"}")).get(10, TimeUnit.SECONDS);

    ChannelMessage received = bobEvents.awaitOne(ChannelMessage.class, WAIT);
    assertThat(received.channel()).isEqualTo("room-1");
    assertThat(received.from()).isEqualTo("alice");
    assertThat(received.fromMetadata())
        .hasValueSatisfying(m -> assertThat(m.get("name").getAsString()).isEqualTo("ALICE"));
    assertThat(received.data().getAsJsonObject().get("text").getAsString()).isEqualTo("hi");
    // The publisher does not receive its own message; alice subscribed without sender metadata.
    bob.publish("room-1", JsonNull.INSTANCE).get(10, TimeUnit.SECONDS);
    ChannelMessage back = aliceEvents.awaitOne(ChannelMessage.class, WAIT);
    assertThat(back.fromMetadata()).isEmpty();
    assertThat(back.data().isJsonNull()).isTrue();
    assertThat(aliceEvents.all(ChannelMessage.class)).hasSize(1);
  }

  @Test
  void preEncodedJsonIsPublishedAsItIsAndMalformedTextNeverLeaves() throws Exception {
    alice.connect().get(10, TimeUnit.SECONDS);
    bob.connect().get(10, TimeUnit.SECONDS);
    bob.subscribe("room-2").get(10, TimeUnit.SECONDS);

    alice.publishJson("room-2", "[{\"seq\":1},{\"seq\":2}]").get(10, TimeUnit.SECONDS);
    ChannelMessage received = bobEvents.awaitOne(ChannelMessage.class, WAIT);
    assertThat(received.data().toString()).isEqualTo("[{\"seq\":1},{\"seq\":2}]");

    // Text that would end the value early and add fields to the frame is refused locally.
    for (String bad : new String[] {"{\"a\":1},\"channel\":\"x\"", "{\"a\":", "", "nope", "1 2"}) {
      assertThatThrownBy(() -> alice.publishJson("room-2", bad).join())
          .as(bad)
          .cause()
          .isInstanceOf(InvalidArgumentException.class);
    }
    // Pre-encoded text counts against maxMessageSize like any frame.
    assertThatThrownBy(() -> alice.publishJson("room-2", "\"" + "x".repeat(5000) + "\"").join())
        .cause()
        .isInstanceOf(MessageTooLargeException.class);
    alice.publishJson("room-2", "2").get(10, TimeUnit.SECONDS);
    bobEvents.awaitOne(ChannelMessage.class, m -> m.data().toString().equals("2"), WAIT);
    assertThat(bobEvents.all(ChannelMessage.class)).hasSize(2);
    assertThat(alice.state()).isEqualTo(State.CONNECTED);
  }

  @Test
  void directMessagesAndPeerNotFound() throws Exception {
    alice.connect().get(10, TimeUnit.SECONDS);
    bob.connect().get(10, TimeUnit.SECONDS);
    alice.send("bob", new JsonPrimitive("psst")).get(10, TimeUnit.SECONDS);
    DirectMessage direct = bobEvents.awaitOne(DirectMessage.class, WAIT);
    assertThat(direct.from()).isEqualTo("alice");
    assertThat(direct.data().getAsString()).isEqualTo("psst");
    assertThat(direct.fromMetadata()).isPresent();

    assertThatThrownBy(() -> alice.send("nobody", new JsonPrimitive(1)).join())
        .cause()
        .isInstanceOfSatisfying(
            ServerErrorException.class, e -> assertThat(e.code()).isEqualTo("peer_not_found"));
    assertThat(alice.state()).isEqualTo(State.CONNECTED);
  }

  @Test
  void presenceRosterTracksJoinsAndLeavesAndAnswersQueries() throws Exception {
    alice.connect().get(10, TimeUnit.SECONDS);
    bob.connect().get(10, TimeUnit.SECONDS);
    alice.subscribe("lobby").get(10, TimeUnit.SECONDS);
    bob.subscribe("lobby").get(10, TimeUnit.SECONDS);

    PresenceChange joined =
        aliceEvents.awaitOne(PresenceChange.class, c -> !c.joined().isEmpty(), WAIT);
    assertThat(joined.joined()).extracting(Participant::peerId).containsExactly("bob");
    assertThat(alice.roster("lobby").contains("bob")).isTrue();
    assertThat(alice.roster("lobby").findByMetadata("name", "BOB")).hasSize(1);
    assertThat(alice.roster("lobby").contains("alice")).as("self is never listed").isFalse();
    // Bob's first presence was the snapshot that already listed alice.
    PresenceChange snapshot = bobEvents.awaitOne(PresenceChange.class, WAIT);
    assertThat(snapshot.snapshot()).isTrue();
    assertThat(snapshot.joined()).extracting(Participant::peerId).containsExactly("alice");

    bob.unsubscribe("lobby").get(10, TimeUnit.SECONDS);
    PresenceChange left =
        aliceEvents.awaitOne(PresenceChange.class, c -> !c.left().isEmpty(), WAIT);
    assertThat(left.left()).extracting(Participant::peerId).containsExactly("bob");
    assertThat(alice.roster("lobby").size()).isZero();
    assertThat(bob.subscriptions()).isEmpty();
    assertThat(alice.subscriptions()).containsExactly("lobby");
  }

  @Test
  void serverErrorsFailTheRequestAndKeepTheConnection() throws Exception {
    RealtimeClient limited =
        RealtimeClient.create(
            TestRelay.config(relay, "carol")
                .tokenProvider(
                    () ->
                        CompletableFuture.completedFuture(
                            relay.mintToken(
                                TokenRequest.builder("carol")
                                    .channels("allowed/*")
                                    .permissions("subscribe", "publish")
                                    .build())))
                .build());
    try (limited) {
      limited.connect().get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> limited.subscribe("forbidden/x").join())
          .cause()
          .isInstanceOfSatisfying(
              ServerErrorException.class,
              e -> assertThat(e.code()).isEqualTo("channel_not_authorized"));
      assertThatThrownBy(() -> limited.send("alice", new JsonPrimitive(1)).join())
          .cause()
          .isInstanceOfSatisfying(
              ServerErrorException.class,
              e -> assertThat(e.code()).isEqualTo("action_not_permitted"));
      limited.subscribe("allowed/x").get(10, TimeUnit.SECONDS);
      assertThat(limited.state()).isEqualTo(State.CONNECTED);
    }
  }

  @Test
  void invalidArgumentsFailLocallyBeforeAnythingIsSent() throws Exception {
    alice.connect().get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> alice.publish("_system/x", new JsonPrimitive(1)).join())
        .cause()
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("reserved prefix");
    assertThatThrownBy(() -> alice.subscribe("a".repeat(257)).join())
        .cause()
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> alice.send("bad peer\n", new JsonPrimitive(1)).join())
        .cause()
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> alice.publish("ok", null).join())
        .cause()
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("data must not be null");
    assertThat(alice.subscriptions()).isEmpty();
  }

  @Test
  void oversizedFramesFailLocallyAndTheConnectionStaysUp() throws Exception {
    alice.connect().get(10, TimeUnit.SECONDS);
    JsonObject big = new JsonObject();
    big.addProperty(
        "blob",
        "é".repeat(2100)); // 4200 UTF-8 bytes, 2100 chars: over the relay's 4096 only in bytes
    assertThatThrownBy(() -> alice.publish("room", big).join())
        .cause()
        .isInstanceOfSatisfying(
            MessageTooLargeException.class,
            e -> {
              assertThat(e.limit()).isEqualTo(4096);
              assertThat(e.size()).isGreaterThan(4200);
            });
    alice.publish("room", new JsonPrimitive("small")).get(10, TimeUnit.SECONDS);
    assertThat(aliceEvents.all(RecordingListener.Disconnected.class)).isEmpty();
  }

  @Test
  void requestsBeforeConnectFailWithNotConnected() {
    assertThatThrownBy(() -> alice.publish("room", new JsonPrimitive(1)).join())
        .cause()
        .isInstanceOf(NotConnectedException.class)
        .hasMessage("not connected (state IDLE)");
    assertThatThrownBy(() -> alice.subscribe("room").join())
        .cause()
        .isInstanceOf(NotConnectedException.class);
    assertThat(alice.subscriptions()).as("a subscribe that never left is not kept").isEmpty();
  }

  @Test
  void callbacksRunOnOneEventThreadAndMayPublish() throws Exception {
    AtomicReference<RealtimeClient> self = new AtomicReference<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    RealtimeClient echo =
        RealtimeClient.create(
            TestRelay.config(relay, "echo").build(),
            new RealtimeListener() {
              @Override
              public void onMessage(ChannelMessage message) {
                threads.add(Thread.currentThread().getName());
                // Publishing from inside a callback must work (and not deadlock).
                self.get()
                    .publish("replies", message.data())
                    .thenRun(() -> threads.add(Thread.currentThread().getName()));
              }

              @Override
              public void onConnected(Welcome welcome) {
                threads.add(Thread.currentThread().getName());
              }
            });
    self.set(echo);
    try (echo) {
      echo.connect().get(10, TimeUnit.SECONDS);
      echo.subscribe("requests").get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      bob.subscribe("replies").get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        bob.publish("requests", new JsonPrimitive(i)).get(10, TimeUnit.SECONDS);
      }
      assertThat(bobEvents.await(ChannelMessage.class, m -> m.channel().equals("replies"), 5, WAIT))
          .extracting(m -> m.data().getAsInt())
          .containsExactly(0, 1, 2, 3, 4);
      assertThat(threads).hasSize(1);
      assertThat(threads.iterator().next()).startsWith("realtime-client-events-");
      assertThat(bobEvents.callbackThreads).hasSize(1);
    }
  }

  @Test
  void dataChangedAfterPublishOrSendReturnsIsNotWhatIsSent() throws Exception {
    // The sender's event thread is held in a callback, so nothing it does can happen before the
    // caller changes the elements: what arrives shows what publish/send captured at the call.
    CountDownLatch release = new CountDownLatch(1);
    RealtimeClient carol =
        RealtimeClient.create(
            TestRelay.config(relay, "carol").build(),
            new RealtimeListener() {
              @Override
              public void onConnected(Welcome welcome) {
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    try (carol) {
      bob.connect().get(10, TimeUnit.SECONDS);
      bob.subscribe("room-1").get(10, TimeUnit.SECONDS);
      carol.connect().get(10, TimeUnit.SECONDS); // completes just before onConnected runs

      JsonObject reading = new JsonObject();
      reading.addProperty("t", 21.5);
      CompletableFuture<Void> published = carol.publish("room-1", reading);
      JsonArray list = new JsonArray();
      list.add("first");
      CompletableFuture<Void> sent = carol.send("bob", list);
      reading.addProperty("t", 99.9);
      reading.addProperty("extra", true);
      list.set(0, new JsonPrimitive("changed"));
      list.add("more");
      release.countDown();

      published.get(10, TimeUnit.SECONDS);
      sent.get(10, TimeUnit.SECONDS);
      assertThat(bobEvents.awaitOne(ChannelMessage.class, WAIT).data().toString())
          .isEqualTo("{\"t\":21.5}");
      assertThat(bobEvents.awaitOne(DirectMessage.class, WAIT).data().toString())
          .isEqualTo("[\"first\"]");
    }
  }
}
