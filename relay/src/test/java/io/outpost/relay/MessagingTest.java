package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Requests, acks, errors and delivery over one relay (protocol.md sections 2–4). */
@Timeout(30)
class MessagingTest extends RelayTestSupport {

  @BeforeEach
  void start() throws Exception {
    startRelay();
  }

  @Test
  void welcomeCarriesPeerIdExpiryServerTimeSizeAndPrivateMetadata() {
    JsonObject metadata = json("{\"iceServers\": [{\"urls\": [\"stun:stun.example.com:3478\"]}]}");
    WsClient alice =
        connect(
            TokenRequest.builder("alice").ttl(Duration.ofMinutes(10)).metadata(metadata).build());

    JsonObject welcome = alice.welcome;
    assertThat(welcome.get("peerId").getAsString()).isEqualTo("alice");
    long now = Instant.now().getEpochSecond();
    assertThat(welcome.get("expiresAt").getAsLong()).isBetween(now + 590, now + 601);
    assertThat(welcome.get("serverTime").getAsLong()).isBetween(now - 5, now + 5);
    assertThat(welcome.get("maxMessageSize").getAsInt()).isEqualTo(65536);
    assertThat(welcome.get("metadata")).isEqualTo(metadata);
  }

  @Test
  void publishReachesOtherSubscribersButNotThePublisher() {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    subscribe(alice, "chat/1");
    subscribe(bob, "chat/1");
    alice.next("presence"); // bob joined

    alice.send(
        frame(
            "publish", "channel", "chat/1", "data", json("{\"text\": \"hi\"}"), "requestId", "p1"));

    assertThat(alice.next("ack").get("requestId").getAsString()).isEqualTo("p1");
    JsonObject message = bob.next("message");
    assertThat(message)
        .isEqualTo(
            json(
                "{\"type\": \"message\", \"channel\": \"chat/1\", \"from\": \"alice\", \"data\": {\"text\": \"hi\"}}"));
    alice.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void requestsWithoutRequestIdAreNotAcked() {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    subscribe(bob, "chat/1");

    alice.send(frame("publish", "channel", "chat/1", "data", "x"));

    assertThat(bob.next("message").get("data").getAsString()).isEqualTo("x");
    alice.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void includeSenderMetadataStampsFromMetadataOnlyForThatSubscription() {
    JsonObject aliceCard = json("{\"username\": \"Alice\"}");
    WsClient alice = connect(TokenRequest.builder("alice").peerMetadata(aliceCard).build());
    WsClient plain = connect("plain");
    WsClient rich = connect("rich");
    subscribe(plain, "room");
    rich.send(
        frame("subscribe", "channel", "room", "includeSenderMetadata", true, "requestId", "r"));
    rich.next("ack");
    rich.next("presence");
    plain.next("presence"); // rich joined

    alice.send(frame("publish", "channel", "room", "data", 1));

    assertThat(plain.next("message").has("fromMetadata")).isFalse();
    assertThat(rich.next("message").get("fromMetadata")).isEqualTo(aliceCard);
  }

  @Test
  void resubscribingReplacesIncludeSenderMetadata() {
    WsClient alice =
        connect(TokenRequest.builder("alice").peerMetadata(json("{\"n\": 1}")).build());
    WsClient bob = connect("bob");
    bob.send(
        frame("subscribe", "channel", "room", "includeSenderMetadata", true, "requestId", "a"));
    bob.next("ack");
    bob.next("presence");
    bob.send(frame("subscribe", "channel", "room", "requestId", "b"));
    bob.next("ack");
    bob.next("presence");

    alice.send(frame("publish", "channel", "room", "data", 1));

    assertThat(bob.next("message").has("fromMetadata")).isFalse();
  }

  @Test
  void directSendDeliversToEveryConnectionOfThePeerWithSenderMetadata() {
    JsonObject aliceCard = json("{\"username\": \"Alice\"}");
    WsClient alice = connect(TokenRequest.builder("alice").peerMetadata(aliceCard).build());
    WsClient bobPhone = connect("bob");
    WsClient bobLaptop = connect("bob");

    alice.send(frame("send", "to", "bob", "data", json("{\"k\": 1}"), "requestId", "d1"));

    assertThat(alice.next("ack").get("requestId").getAsString()).isEqualTo("d1");
    JsonObject expected =
        json(
            "{\"type\": \"direct\", \"from\": \"alice\", \"fromMetadata\": {\"username\": \"Alice\"},"
                + " \"data\": {\"k\": 1}}");
    assertThat(bobPhone.next("direct")).isEqualTo(expected);
    assertThat(bobLaptop.next("direct")).isEqualTo(expected);
  }

  @Test
  void directSendWithoutPeerMetadataOmitsFromMetadata() {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");

    alice.send(frame("send", "to", "bob", "data", "hey"));

    assertThat(bob.next("direct"))
        .isEqualTo(json("{\"type\": \"direct\", \"from\": \"alice\", \"data\": \"hey\"}"));
  }

  @Test
  void sendToAnOfflinePeerIsPeerNotFound() {
    WsClient alice = connect("alice");

    alice.send(frame("send", "to", "nobody", "data", 1, "requestId", "d"));

    assertError(alice.next("error"), "d", "peer_not_found");
  }

  @Test
  void sendErrors() {
    WsClient alice = connect("alice");
    connect("bob");

    alice.send(frame("send", "to", "", "data", 1, "requestId", "empty"));
    assertError(alice.next("error"), "empty", "invalid_peer_id");
    alice.send(frame("send", "to", "x".repeat(129), "data", 1, "requestId", "long"));
    assertError(alice.next("error"), "long", "invalid_peer_id");
    alice.send(frame("send", "to", "bad\u0007id", "data", 1, "requestId", "ctl"));
    assertError(alice.next("error"), "ctl", "invalid_peer_id");
    alice.send(frame("send", "data", 1, "requestId", "noto"));
    assertError(alice.next("error"), "noto", "invalid_peer_id");
    alice.send(frame("send", "to", "bob", "requestId", "nodata"));
    assertError(alice.next("error"), "nodata", "missing_data");
  }

  @Test
  void publishWithoutDataIsMissingData() {
    WsClient alice = connect("alice");

    alice.send(frame("publish", "channel", "room", "requestId", "p"));

    assertError(alice.next("error"), "p", "missing_data");
  }

  @Test
  void nullIsValidData() {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    subscribe(bob, "room");

    alice.send(
        "{\"type\": \"publish\", \"channel\": \"room\", \"data\": null, \"requestId\": \"n\"}");

    alice.next("ack");
    assertThat(bob.next("message").get("data").isJsonNull()).isTrue();
  }

  @Test
  void actionsOutsideTheCredentialAreActionNotPermitted() {
    WsClient reader = connect(TokenRequest.builder("reader").permissions("subscribe").build());

    reader.send(frame("publish", "channel", "room", "data", 1, "requestId", "p"));
    assertError(reader.next("error"), "p", "action_not_permitted");
    reader.send(frame("send", "to", "reader", "data", 1, "requestId", "s"));
    assertError(reader.next("error"), "s", "action_not_permitted");

    WsClient writer = connect(TokenRequest.builder("writer").permissions("publish").build());
    writer.send(frame("subscribe", "channel", "room", "requestId", "sub"));
    assertError(writer.next("error"), "sub", "action_not_permitted");
  }

  @Test
  void channelsOutsideTheCredentialAreNotAuthorizedAndTheConnectionStaysOpen() {
    WsClient alice = connect(TokenRequest.builder("alice").channels("app/room-*").build());

    alice.send(frame("subscribe", "channel", "other/room-1", "requestId", "s"));
    assertError(alice.next("error"), "s", "channel_not_authorized");
    alice.send(frame("publish", "channel", "app/sub/deep", "data", 1, "requestId", "p"));
    assertError(alice.next("error"), "p", "channel_not_authorized");

    alice.send(frame("subscribe", "channel", "app/room-1", "requestId", "ok"));
    assertThat(alice.next("ack").get("requestId").getAsString()).isEqualTo("ok");
  }

  @Test
  void effectiveScopeIsTheClaimIntersectedWithTheKeyPatterns() throws Exception {
    // sk_id_narrow allows only app/* and publish+subscribe; a hand-made token claiming more gets no
    // more.
    JsonObject claims =
        json(
            "{\"sub\": \"greedy\", \"channels\": [\"**\"],"
                + " \"permissions\": [\"publish\", \"subscribe\", \"send\"]}");
    claims.addProperty("exp", Instant.now().getEpochSecond() + 60);
    String token = io.outpost.relay.internal.Jwt.sign("sk_id_narrow", "sk_secret_narrow", claims);
    WsClient greedy = track(WsClient.connectWelcomed(tokenUri(token)));

    greedy.send(frame("subscribe", "channel", "elsewhere", "requestId", "s"));
    assertError(greedy.next("error"), "s", "channel_not_authorized");
    greedy.send(frame("send", "to", "greedy", "data", 1, "requestId", "d"));
    assertError(greedy.next("error"), "d", "action_not_permitted");
    greedy.send(frame("subscribe", "channel", "app/x", "requestId", "ok"));
    greedy.next("ack");
  }

  @Test
  void reservedPrefixesAreRejectedCaseInsensitively() {
    WsClient alice = connect("alice");

    for (String channel : new String[] {"_metered/x", "_INTERNAL/x", "_System/x"}) {
      alice.send(frame("subscribe", "channel", channel, "requestId", channel));
      assertError(alice.next("error"), channel, "channel_reserved");
    }
    alice.send(frame("publish", "channel", "_metered/x", "data", 1, "requestId", "p"));
    assertError(alice.next("error"), "p", "channel_reserved");
    alice.send(frame("subscribe", "channel", "_meteredx", "requestId", "fine"));
    alice.next("ack");
  }

  @Test
  void invalidChannelNames() {
    WsClient alice = connect("alice");
    String[] invalid = {"", "a\u0000b", "tab\there", "del\u007f", "c1\u0085", "é".repeat(129)};
    for (int i = 0; i < invalid.length; i++) {
      alice.send(frame("subscribe", "channel", invalid[i], "requestId", "s" + i));
      assertError(alice.next("error"), "s" + i, "invalid_channel");
    }
    alice.send("{\"type\": \"subscribe\", \"channel\": 7, \"requestId\": \"num\"}");
    assertError(alice.next("error"), "num", "invalid_channel");
    alice.send(frame("publish", "data", 1, "requestId", "nochan"));
    assertError(alice.next("error"), "nochan", "invalid_channel");
    // 256 bytes of UTF-8 is still fine (128 two-byte characters).
    alice.send(frame("subscribe", "channel", "é".repeat(128), "requestId", "max"));
    alice.next("ack");
  }

  @Test
  void the101stSubscriptionIsChannelLimitExceeded() {
    WsClient alice = connect(TokenRequest.builder("alice").permissions("subscribe").build());
    for (int i = 0; i < 100; i++) {
      alice.send(frame("subscribe", "channel", "c/" + i, "requestId", "s" + i));
      assertThat(alice.next("ack").get("requestId").getAsString()).isEqualTo("s" + i);
    }

    alice.send(frame("subscribe", "channel", "c/100", "requestId", "over"));
    assertError(alice.next("error"), "over", "channel_limit_exceeded");

    alice.send(frame("subscribe", "channel", "c/5", "requestId", "again"));
    assertThat(alice.next("ack").get("requestId").getAsString()).isEqualTo("again");
    alice.send(frame("unsubscribe", "channel", "c/0", "requestId", "u"));
    alice.next("ack");
    alice.send(frame("subscribe", "channel", "c/100", "requestId", "room"));
    assertThat(alice.next("ack").get("requestId").getAsString()).isEqualTo("room");
  }

  @Test
  void unsubscribeStopsDeliveryAndIsIdempotent() {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    subscribe(bob, "room");

    bob.send(frame("unsubscribe", "channel", "room", "requestId", "u1"));
    bob.next("ack");
    bob.send(frame("unsubscribe", "channel", "room", "requestId", "u2"));
    bob.next("ack");
    alice.send(frame("publish", "channel", "room", "data", 1, "requestId", "p"));
    alice.next("ack");

    bob.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void malformedFramesGetMalformedMessageAndTheConnectionStaysOpen() {
    WsClient alice = connect("alice");

    alice.send("not json{");
    assertError(alice.next("error"), null, "malformed_message");
    alice.send("[1, 2]");
    assertError(alice.next("error"), null, "malformed_message");
    alice.send("{\"requestId\": \"r1\"}");
    assertError(alice.next("error"), "r1", "malformed_message");
    alice.send("{\"type\": 5, \"requestId\": \"r2\"}");
    assertError(alice.next("error"), "r2", "malformed_message");
    alice.send("{\"type\": \"publish\", \"requestId\": \"" + "r".repeat(129) + "\"}");
    assertError(alice.next("error"), null, "malformed_message");

    alice.send(frame("ping"));
    alice.next("pong");
  }

  @Test
  void unknownTypesGetUnknownType() {
    WsClient alice = connect("alice");

    alice.send(frame("history", "requestId", "h"));

    JsonObject error = alice.next("error");
    assertError(error, "h", "unknown_type");
    assertThat(error.get("message").getAsString()).contains("history");
  }

  @Test
  void jsonPingIsAnsweredWithPong() {
    WsClient alice = connect("alice");

    alice.send("{\"type\": \"ping\"}");

    assertThat(alice.next()).isEqualTo(json("{\"type\": \"pong\"}"));
  }

  @Test
  void binaryFramesAreAnsweredWithMalformedMessage() {
    WsClient alice = connect("alice");

    alice.sendBinary(new byte[] {1, 2, 3});

    JsonObject error = alice.next("error");
    assertError(error, null, "malformed_message");
    assertThat(error.get("message").getAsString()).contains("binary");
    alice.send(frame("ping"));
    alice.next("pong");
  }

  @Test
  void unknownExtraFieldsAreIgnored() {
    WsClient alice = connect("alice");

    alice.send(frame("subscribe", "channel", "room", "requestId", "s", "priority", "high"));

    alice.next("ack");
  }

  @Test
  void sendRawDeliversAnyTextToEverySocketOfAPeer() {
    WsClient phone = connect("alice");
    WsClient laptop = connect("alice");

    assertThat(relay.sendRaw("alice", "not json{")).isEqualTo(2);

    assertThat(phone.nextRaw()).isEqualTo("not json{");
    assertThat(laptop.nextRaw()).isEqualTo("not json{");
    assertThat(relay.sendRaw("nobody", "x")).isZero();
  }

  static void assertError(JsonObject error, String requestId, String code) {
    assertThat(error.get("type").getAsString()).as("frame %s", error).isEqualTo("error");
    assertThat(error.get("code").getAsString()).as("frame %s", error).isEqualTo(code);
    assertThat(error.has("message")).isTrue();
    if (requestId == null) {
      assertThat(error.has("requestId")).as("frame %s", error).isFalse();
    } else {
      assertThat(error.get("requestId").getAsString()).isEqualTo(requestId);
    }
  }
}
