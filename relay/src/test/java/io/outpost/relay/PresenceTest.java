package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Presence snapshots and deltas (protocol.md section 7 and R). */
@Timeout(30)
class PresenceTest extends RelayTestSupport {

  @BeforeEach
  void start() throws Exception {
    startRelay();
  }

  private WsClient connectWithCard(String peerId, String name) {
    JsonObject card = new JsonObject();
    card.addProperty("username", name);
    return connect(TokenRequest.builder(peerId).peerMetadata(card).build());
  }

  private JsonObject subscribeForSnapshot(WsClient c, String channel) {
    c.send(frame("subscribe", "channel", channel, "requestId", "s"));
    c.next("ack");
    return c.next("presence");
  }

  @Test
  void subscribeGetsASnapshotAndTheOthersAJoinedDeltaWithPeerMetadata() {
    WsClient alice = connectWithCard("alice", "Alice");
    WsClient carol = connect("carol");
    assertThat(subscribeForSnapshot(alice, "room"))
        .isEqualTo(
            json("{\"type\": \"presence\", \"channel\": \"room\", \"joined\": [], \"left\": []}"));
    subscribeForSnapshot(carol, "room");
    alice.next("presence"); // carol joined

    WsClient bob = connectWithCard("bob", "Bob");
    JsonObject snapshot = subscribeForSnapshot(bob, "room");

    assertThat(snapshot.get("joined").getAsJsonArray())
        .containsExactlyInAnyOrder(
            json("{\"peerId\": \"alice\", \"metadata\": {\"username\": \"Alice\"}}"),
            json("{\"peerId\": \"carol\"}"));
    JsonObject delta =
        json(
            "{\"type\": \"presence\", \"channel\": \"room\","
                + " \"joined\": [{\"peerId\": \"bob\", \"metadata\": {\"username\": \"Bob\"}}], \"left\": []}");
    assertThat(alice.next("presence")).isEqualTo(delta);
    assertThat(carol.next("presence")).isEqualTo(delta);
  }

  @Test
  void unsubscribeAndDisconnectProduceLeft() {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    WsClient carol = connect("carol");
    subscribeForSnapshot(alice, "room");
    subscribeForSnapshot(bob, "room");
    subscribeForSnapshot(carol, "room");
    alice.next("presence");
    alice.next("presence");
    bob.next("presence"); // carol joined

    bob.send(frame("unsubscribe", "channel", "room", "requestId", "u"));
    bob.next("ack");
    assertThat(alice.next("presence"))
        .isEqualTo(
            json(
                "{\"type\": \"presence\", \"channel\": \"room\", \"joined\": [], \"left\": [{\"peerId\": \"bob\"}]}"));

    carol.abort();
    assertThat(alice.next("presence").get("left").getAsJsonArray())
        .containsExactly(json("{\"peerId\": \"carol\"}"));
  }

  @Test
  void aPeerWithSeveralConnectionsJoinsAtTheFirstAndLeavesAtTheLast() {
    WsClient watcher = connect("watcher");
    subscribeForSnapshot(watcher, "room");
    WsClient phone = connect("alice");
    WsClient laptop = connect("alice");

    subscribeForSnapshot(phone, "room");
    assertThat(watcher.next("presence").get("joined").getAsJsonArray()).hasSize(1);
    JsonObject laptopSnapshot = subscribeForSnapshot(laptop, "room");
    assertThat(laptopSnapshot.get("joined").getAsJsonArray())
        .containsExactly(json("{\"peerId\": \"watcher\"}"));
    watcher.assertNoFrame(Duration.ofMillis(300));

    phone.abort();
    watcher.assertNoFrame(Duration.ofMillis(300));
    laptop.send(frame("unsubscribe", "channel", "room"));
    assertThat(watcher.next("presence").get("left").getAsJsonArray())
        .containsExactly(json("{\"peerId\": \"alice\"}"));
  }

  @Test
  void wildcardSubscriptionsHavePresenceOfTheirOwnString() {
    WsClient concrete = connect("concrete");
    WsClient globA = connect("globA");
    WsClient globB = connect("globB");
    subscribeForSnapshot(globA, "room/*");
    subscribeForSnapshot(concrete, "room/1");
    globA.assertNoFrame(Duration.ofMillis(300));

    JsonObject snapshot = subscribeForSnapshot(globB, "room/*");

    assertThat(snapshot.get("joined").getAsJsonArray())
        .containsExactly(json("{\"peerId\": \"globA\"}"));
    assertThat(globA.next("presence").get("joined").getAsJsonArray())
        .containsExactly(json("{\"peerId\": \"globB\"}"));
    concrete.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void withoutThePresenceActionNoPresenceFramesArriveButThePeerIsStillListed() throws Exception {
    WsClient watcher = connect("watcher");
    subscribeForSnapshot(watcher, "room");
    WsClient quiet =
        connect(TokenRequest.builder("quiet").permissions("subscribe", "publish").build());

    quiet.send(frame("subscribe", "channel", "room", "requestId", "s"));
    quiet.next("ack");

    assertThat(watcher.next("presence").get("joined").getAsJsonArray())
        .containsExactly(json("{\"peerId\": \"quiet\"}"));
    watcher.send(frame("unsubscribe", "channel", "room"));
    quiet.assertNoFrame(Duration.ofMillis(300));
  }
}
