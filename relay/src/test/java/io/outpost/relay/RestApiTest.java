package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The REST control plane (protocol.md section 10 and R). */
@Timeout(30)
class RestApiTest extends RelayTestSupport {
  static final String SK = "sk_id_test:sk_secret_test";
  static final String NARROW = "sk_id_narrow:sk_secret_narrow";

  @BeforeEach
  void start() throws Exception {
    startRelay();
  }

  private static void assertError(Http r, int status, String code) {
    assertThat(r.status()).as("%s", r.raw()).isEqualTo(status);
    assertThat(r.body().get("error").getAsString()).as("%s", r.raw()).isEqualTo(code);
    assertThat(r.body().get("message").getAsString()).isNotBlank();
  }

  @Test
  void everyEndpointWantsASecretKeyPair() throws Exception {
    for (String bearer :
        new String[] {
          null,
          "sk_id_test",
          "sk_id_test:",
          "sk_id_test:sk_secret_wrong",
          "sk_id_nope:sk_secret_test",
          "pk_live_rooms",
          "pk_live_rooms:x",
          ":sk_secret_test"
        }) {
      assertError(http("GET", "/usage", bearer, null), 401, "unauthorized");
      assertError(http("POST", "/tokens", bearer, "{\"peerId\": \"a\"}"), 401, "unauthorized");
      assertError(http("DELETE", "/peers/a", bearer, null), 401, "unauthorized");
    }
  }

  @Test
  void unknownEndpointsAre404() throws Exception {
    assertError(http("GET", "/nothing", SK, null), 404, "not_found");
    assertError(http("GET", "/tokens", SK, null), 404, "not_found");
  }

  @Test
  void mintedTokensConnectWithTheirPeerIdScopeAndExpiry() throws Exception {
    Http r =
        http(
            "POST",
            "/tokens",
            SK,
            """
        {"peerId": "u_alice", "channels": ["app/room-*"], "permissions": ["subscribe"], "expiresInSec": 120,
         "metadata": {"iceServers": []}, "peerMetadata": {"username": "Alice"}}""");

    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    long now = Instant.now().getEpochSecond();
    assertThat(r.body().get("expiresAt").getAsLong()).isBetween(now + 115, now + 121);
    WsClient alice = track(WsClient.connectWelcomed(tokenUri(r.body().get("token").getAsString())));
    assertThat(alice.peerId()).isEqualTo("u_alice");
    assertThat(alice.welcome.get("expiresAt").getAsLong())
        .isEqualTo(r.body().get("expiresAt").getAsLong());
    assertThat(alice.welcome.get("metadata")).isEqualTo(json("{\"iceServers\": []}"));
    alice.send(frame("subscribe", "channel", "app/room-1", "requestId", "ok"));
    alice.next("ack");
    alice.send(frame("publish", "channel", "app/room-1", "data", 1, "requestId", "no"));
    MessagingTest.assertError(alice.next("error"), "no", "action_not_permitted");
  }

  @Test
  void mintDefaultsToAnHourAndTheKeyScope() throws Exception {
    Http r = http("POST", "/tokens", SK, "{\"peerId\": \"bob\"}");

    assertThat(r.body().get("expiresAt").getAsLong() - Instant.now().getEpochSecond())
        .isBetween(3595L, 3600L);
  }

  @Test
  void mintValidation() throws Exception {
    assertError(http("POST", "/tokens", SK, "{}"), 400, "invalid_request");
    assertError(http("POST", "/tokens", SK, "{\"peerId\": \"\"}"), 400, "invalid_request");
    assertError(
        http("POST", "/tokens", SK, "{\"peerId\": \"" + "x".repeat(129) + "\"}"),
        400,
        "invalid_request");
    assertError(http("POST", "/tokens", SK, "{\"peerId\": \"a\\u0001b\"}"), 400, "invalid_request");
    assertError(
        http("POST", "/tokens", SK, "{\"peerId\": \"a\", \"expiresInSec\": 0}"),
        400,
        "invalid_request");
    assertError(
        http("POST", "/tokens", SK, "{\"peerId\": \"a\", \"expiresInSec\": 86401}"),
        400,
        "invalid_request");
    assertError(
        http("POST", "/tokens", SK, "{\"peerId\": \"a\", \"expiresInSec\": 1.5}"),
        400,
        "invalid_request");
    assertError(
        http("POST", "/tokens", SK, "{\"peerId\": \"a\", \"channels\": \"x\"}"),
        400,
        "invalid_request");
    assertError(
        http("POST", "/tokens", SK, "{\"peerId\": \"a\", \"permissions\": [\"fly\"]}"),
        400,
        "invalid_request");
    StringBuilder many = new StringBuilder("{\"peerId\": \"a\", \"channels\": [");
    for (int i = 0; i < 101; i++) {
      many.append(i == 0 ? "" : ",").append("\"c").append(i).append('"');
    }
    assertError(http("POST", "/tokens", SK, many + "]}"), 400, "invalid_request");
    assertError(
        http(
            "POST",
            "/tokens",
            SK,
            "{\"peerId\": \"a\", \"permissions\": [" + "\"send\",".repeat(16) + "\"send\"]}"),
        400,
        "invalid_request");
    assertError(
        http(
            "POST",
            "/tokens",
            SK,
            "{\"peerId\": \"a\", \"peerMetadata\": {\"x\": \"" + "y".repeat(4100) + "\"}}"),
        400,
        "invalid_request");
    assertError(
        http(
            "POST",
            "/tokens",
            SK,
            "{\"peerId\": \"a\", \"metadata\": {\"x\": \"" + "y".repeat(8200) + "\"}}"),
        400,
        "invalid_request");
    assertError(http("POST", "/tokens", SK, "{\"peerId\": \"a\", "), 400, "invalid_request");
    assertError(http("POST", "/tokens", SK, "[]"), 400, "invalid_request");
  }

  @Test
  void mintCannotExceedTheKeyScope() throws Exception {
    assertError(
        http("POST", "/tokens", NARROW, "{\"peerId\": \"a\", \"channels\": [\"other/*\"]}"),
        403,
        "channel_not_authorized");
    assertError(
        http("POST", "/tokens", NARROW, "{\"peerId\": \"a\", \"permissions\": [\"send\"]}"),
        403,
        "action_not_permitted");
    assertThat(
            http("POST", "/tokens", NARROW, "{\"peerId\": \"a\", \"channels\": [\"app/x\"]}")
                .status())
        .isEqualTo(200);
  }

  @Test
  void bodiesOver32KbAre413() throws Exception {
    String big = "{\"peerId\": \"a\", \"pad\": \"" + "x".repeat(33 * 1024) + "\"}";

    assertError(http("POST", "/tokens", SK, big), 413, "invalid_request");
  }

  @Test
  void publishReachesSubscribersFromSystemByDefault() throws Exception {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    subscribe(alice, "app/room-1");
    bob.send(
        frame(
            "subscribe", "channel", "app/room-1", "includeSenderMetadata", true, "requestId", "s"));
    bob.next("ack");
    bob.next("presence");
    alice.next("presence");

    Http r =
        http(
            "POST",
            "/channels/app%2Froom-1/publish",
            SK,
            "{\"data\": {\"text\": \"maintenance\"}}");

    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(json("{\"channel\": \"app/room-1\", \"delivered\": 2}"));
    assertThat(alice.next("message"))
        .isEqualTo(
            json(
                "{\"type\": \"message\", \"channel\": \"app/room-1\","
                    + " \"from\": \"system\", \"data\": {\"text\": \"maintenance\"}}"));
    bob.next("message");

    r =
        http(
            "POST",
            "/channels/app%2Froom-1/publish",
            SK,
            "{\"data\": 1, \"from\": \"moderator\", \"peerMetadata\": {\"kind\": \"bot\"}}");
    assertThat(r.body().get("delivered").getAsInt()).isEqualTo(2);
    JsonObject plain = alice.next("message");
    assertThat(plain.get("from").getAsString()).isEqualTo("moderator");
    assertThat(plain.has("fromMetadata")).isFalse();
    assertThat(bob.next("message").get("fromMetadata")).isEqualTo(json("{\"kind\": \"bot\"}"));
  }

  @Test
  void publishErrors() throws Exception {
    assertError(
        http("POST", "/channels/room/publish", SK, "{\"from\": \"x\"}"), 400, "invalid_request");
    assertError(http("POST", "/channels/room/publish", SK, "not json"), 400, "invalid_request");
    assertError(
        http("POST", "/channels/_system%2Fx/publish", SK, "{\"data\": 1}"),
        400,
        "channel_reserved");
    assertError(
        http("POST", "/channels/bad%01name/publish", SK, "{\"data\": 1}"), 400, "invalid_request");
    assertError(
        http("POST", "/channels/%E0%A4/publish", SK, "{\"data\": 1}"), 400, "invalid_request");
    assertError(
        http("POST", "/channels/other%2Fx/publish", NARROW, "{\"data\": 1}"),
        403,
        "channel_not_authorized");
    assertThat(
            http("POST", "/channels/app%2Fx/publish", NARROW, "{\"data\": 1}")
                .body()
                .get("delivered")
                .getAsInt())
        .isZero();
  }

  @Test
  void peersListsSubscribersWithTheirMetadata() throws Exception {
    connect(TokenRequest.builder("alice").peerMetadata(json("{\"username\": \"Alice\"}")).build());
    WsClient alice =
        connect(
            TokenRequest.builder("alice").peerMetadata(json("{\"username\": \"Alice\"}")).build());
    WsClient carol = connect("carol");
    subscribe(alice, "app/room-1");
    subscribe(carol, "app/room-1");

    Http r = http("GET", "/channels/app%2Froom-1/peers", SK, null);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("channel").getAsString()).isEqualTo("app/room-1");
    assertThat(r.body().get("peers").getAsJsonArray())
        .containsExactlyInAnyOrder(
            json("{\"peerId\": \"alice\", \"metadata\": {\"username\": \"Alice\"}}"),
            json("{\"peerId\": \"carol\"}"));
    assertThat(http("GET", "/channels/empty/peers", SK, null).body())
        .isEqualTo(json("{\"channel\": \"empty\", \"peers\": []}"));
    assertError(
        http("GET", "/channels/app%2Froom-1/peers", NARROW, null), 403, "action_not_permitted");
    assertError(http("GET", "/channels/_metered%2Fx/peers", SK, null), 400, "channel_reserved");
  }

  @Test
  void deletePeerKicksEverySocketWith4020() throws Exception {
    WsClient phone = connect("u_alice");
    WsClient laptop = connect("u_alice");

    Http r = http("DELETE", "/peers/u_alice", SK, null);

    assertThat(r.body()).isEqualTo(json("{\"peerId\": \"u_alice\", \"closed\": 2}"));
    assertThat(phone.awaitClose()).isEqualTo(4020);
    assertThat(laptop.awaitClose()).isEqualTo(4020);
    assertThat(http("DELETE", "/peers/u_nobody", SK, null).body())
        .isEqualTo(json("{\"peerId\": \"u_nobody\", \"closed\": 0}"));
    assertError(http("DELETE", "/peers/" + "x".repeat(129), SK, null), 400, "invalid_request");
    assertError(http("DELETE", "/peers/a%09b", SK, null), 400, "invalid_request");
  }

  @Test
  void usageReportsTheRelaysOwnCounters() throws Exception {
    WsClient alice = connect("alice");
    connect("bob");
    alice.send(frame("publish", "channel", "room", "data", 1, "requestId", "p"));
    alice.next("ack");
    alice.send(frame("send", "to", "bob", "data", 1, "requestId", "d"));
    alice.next("ack");
    http("POST", "/channels/room/publish", SK, "{\"data\": 1}");

    JsonObject usage = http("GET", "/usage", SK, null).body();

    assertThat(usage.get("concurrentNow").getAsInt()).isEqualTo(2);
    assertThat(usage.get("peakConcurrent").getAsInt()).isEqualTo(2);
    assertThat(usage.get("messagesUsed").getAsLong()).isEqualTo(3);
    assertThat(usage.get("overageMessages").getAsInt()).isZero();
    assertThat(usage.get("overageConnections").getAsInt()).isZero();
    assertThat(usage.get("periodStartUnix").getAsLong())
        .isLessThanOrEqualTo(Instant.now().getEpochSecond());
    assertThat(usage.get("periodEndUnix").isJsonNull()).isTrue();
    assertThat(usage.get("plan").getAsJsonObject().get("name").getAsString()).isEqualTo("RELAY");
    assertThat(usage.get("plan").getAsJsonObject().get("overagesAllowed").getAsBoolean()).isFalse();
  }
}
