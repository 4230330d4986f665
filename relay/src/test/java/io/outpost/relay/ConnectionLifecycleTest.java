package io.outpost.relay;

import static io.outpost.relay.MessagingTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.relay.internal.Jwt;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Admission, close codes and liveness (protocol.md sections 1, 5, 9, 11, 12 and R). */
@Timeout(30)
class ConnectionLifecycleTest extends RelayTestSupport {

  private static JsonObject claims(String sub, long expOffsetSeconds) {
    JsonObject c = new JsonObject();
    c.addProperty("sub", sub);
    c.addProperty("exp", Instant.now().getEpochSecond() + expOffsetSeconds);
    return c;
  }

  private int closeCodeFor(URI uri) {
    WsClient c = track(WsClient.connect(uri));
    int code = c.awaitClose();
    assertThat(c.pending()).as("frames before the close").isZero();
    return code;
  }

  @Test
  void badCredentialsCloseWith4001BeforeAnyFrame() throws Exception {
    startRelay();
    String valid = Jwt.sign("sk_id_test", "sk_secret_test", claims("alice", 60));
    String[] parts = valid.split("\\.");
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();

    assertThat(closeCodeFor(URI.create(relay.webSocketOrigin() + "/v1"))).isEqualTo(4001);
    assertThat(closeCodeFor(tokenUri("garbage"))).isEqualTo(4001);
    assertThat(
            closeCodeFor(tokenUri(Jwt.sign("sk_id_test", "sk_secret_wrong", claims("alice", 60)))))
        .as("wrong secret")
        .isEqualTo(4001);
    assertThat(
            closeCodeFor(
                tokenUri(Jwt.sign("sk_id_unknown", "sk_secret_test", claims("alice", 60)))))
        .as("unknown kid")
        .isEqualTo(4001);
    assertThat(closeCodeFor(tokenUri(parts[0] + "." + parts[1] + ".")))
        .as("signature stripped")
        .isEqualTo(4001);
    String noneHeader =
        b64.encodeToString(
            "{\"alg\":\"none\",\"kid\":\"sk_id_test\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(closeCodeFor(tokenUri(noneHeader + "." + parts[1] + "." + parts[2])))
        .as("alg none")
        .isEqualTo(4001);
    JsonObject noSub = claims("x", 60);
    noSub.remove("sub");
    assertThat(closeCodeFor(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", noSub))))
        .as("no sub")
        .isEqualTo(4001);
    assertThat(
            closeCodeFor(
                tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", claims("x".repeat(129), 60)))))
        .as("sub too long")
        .isEqualTo(4001);
    assertThat(
            closeCodeFor(
                tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", claims("tab\tsub", 60)))))
        .as("sub not printable")
        .isEqualTo(4001);
    assertThat(closeCodeFor(URI.create(tokenUri(valid) + "&key=pk_live_rooms")))
        .as("two credentials")
        .isEqualTo(4001);
  }

  @Test
  void oversizedMetadataClaimsAre4001() throws Exception {
    startRelay();
    JsonObject bigPeer = claims("alice", 60);
    JsonObject card = new JsonObject();
    card.addProperty("blob", "x".repeat(4097));
    bigPeer.add("peerMetadata", card);
    JsonObject bigPrivate = claims("alice", 60);
    JsonObject bag = new JsonObject();
    bag.addProperty("blob", "x".repeat(8193));
    bigPrivate.add("metadata", bag);

    assertThat(closeCodeFor(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", bigPeer))))
        .isEqualTo(4001);
    assertThat(closeCodeFor(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", bigPrivate))))
        .isEqualTo(4001);
  }

  @Test
  void expiredTokensClose4002AtConnectButClockSkewIsTolerated() throws Exception {
    startRelay();

    assertThat(
            closeCodeFor(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", claims("late", -31)))))
        .isEqualTo(4002);
    WsClient skewed =
        track(
            WsClient.connectWelcomed(
                tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", claims("skewed", -10)))));
    assertThat(skewed.peerId()).isEqualTo("skewed");
  }

  @Test
  void tokenWithoutExpNeverExpires() throws Exception {
    startRelay();
    JsonObject c = new JsonObject();
    c.addProperty("sub", "forever");

    WsClient forever =
        track(WsClient.connectWelcomed(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", c))));

    assertThat(forever.welcome.get("expiresAt").isJsonNull()).isTrue();
  }

  @Test
  void aConnectedSocketIsClosedWith4002WhenItsTokenExpires() throws Exception {
    startRelay();
    WsClient shortLived = connect(TokenRequest.builder("short").ttl(Duration.ofSeconds(2)).build());
    WsClient bystander = connect("bystander");

    assertThat(shortLived.awaitClose(Duration.ofSeconds(6))).isEqualTo(4002);
    bystander.send(frame("ping"));
    bystander.next("pong");
  }

  @Test
  void publishableKeyGetsARandomPeerIdPerConnectNoExpiryAndTheKeyScope() throws Exception {
    startRelay();
    WsClient first = track(WsClient.connectWelcomed(keyUri("pk_live_rooms")));
    WsClient second = track(WsClient.connectWelcomed(keyUri("pk_live_rooms")));

    assertThat(first.peerId()).matches("[0-9a-f-]{36}").isNotEqualTo(second.peerId());
    assertThat(first.welcome.get("expiresAt").isJsonNull()).isTrue();
    first.send(frame("subscribe", "channel", "room-1", "requestId", "ok"));
    first.next("ack");
    first.next("presence");
    first.send(frame("subscribe", "channel", "admin-1", "requestId", "no"));
    assertError(first.next("error"), "no", "channel_not_authorized");
    first.send(frame("send", "to", second.peerId(), "data", 1, "requestId", "dm"));
    assertError(first.next("error"), "dm", "action_not_permitted");
  }

  @Test
  void unknownPublishableKeysAndSecretKeyIdsAre4001() throws Exception {
    startRelay();

    assertThat(closeCodeFor(keyUri("pk_live_nope"))).isEqualTo(4001);
    assertThat(closeCodeFor(keyUri("sk_id_test"))).isEqualTo(4001);
  }

  @Test
  void publishableKeyOriginsAreCheckedWhenTheHeaderIsPresent() throws Exception {
    startRelay();

    assertThat(WsClient.refusedStatus(keyUri("pk_live_site"), "https://evil.example.com"))
        .isEqualTo(403);
    track(WsClient.connect(keyUri("pk_live_site"), "https://app.example.com")).next("welcome");
    track(WsClient.connect(keyUri("pk_live_site"), null)).next("welcome");
    track(WsClient.connect(keyUri("pk_live_rooms"), "https://anything.example")).next("welcome");
  }

  @Test
  void perIpConnectionAttemptsOverTheLimitGetHttp429() throws Exception {
    startRelay(b -> b.connectAttemptLimit(3, Duration.ofMinutes(1)).limitLoopbackAttempts(true));
    String token = relay.mintToken(TokenRequest.builder("alice").build());

    for (int i = 0; i < 3; i++) {
      track(WsClient.connect(tokenUri(token))).next("welcome");
    }
    assertThat(WsClient.refusedStatus(tokenUri(token), null)).isEqualTo(429);
  }

  @Test
  void framesOfAnAdmittedSocketDoNotCountAsConnectionAttempts() throws Exception {
    startRelay(b -> b.connectAttemptLimit(2, Duration.ofSeconds(60)).limitLoopbackAttempts(true));
    WsClient alice = connect("alice");
    for (int i = 0; i < 20; i++) { // each frame is a read of its own
      alice.send(frame("ping"));
      alice.next("pong");
    }
    assertThat(alice.isClosed()).isFalse();
    connect("bob");
    assertThat(
            WsClient.refusedStatus(
                tokenUri(relay.mintToken(TokenRequest.builder("carol").build())), null))
        .isEqualTo(429);
  }

  @Test
  void loopbackClientsAreNotCountedByDefault() throws Exception {
    startRelay(b -> b.connectAttemptLimit(2, Duration.ofMinutes(1)));
    String token = relay.mintToken(TokenRequest.builder("alice").build());

    for (int i = 0; i < 5; i++) {
      try (WsClient c = WsClient.connect(tokenUri(token))) {
        c.next("welcome");
      }
    }
  }

  @Test
  void kickClosesEveryConnectionOfThePeerWith4020() throws Exception {
    startRelay();
    WsClient phone = connect("alice");
    WsClient laptop = connect("alice");
    WsClient bob = connect("bob");

    assertThat(relay.kick("alice")).isEqualTo(2);

    assertThat(phone.awaitClose()).isEqualTo(4020);
    assertThat(laptop.awaitClose()).isEqualTo(4020);
    await().atMost(Duration.ofSeconds(5)).until(() -> !relay.connectedPeers().contains("alice"));
    assertThat(relay.connectedPeers()).containsExactly("bob");
    assertThat(relay.kick("nobody")).isZero();
    bob.send(frame("ping"));
    bob.next("pong");
  }

  @Test
  void shutdownSendsGoingAwayThenCloses1001() throws Exception {
    startRelay(b -> b.goingAwayRetryAfter(Duration.ofMillis(250)));
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");

    relay.shutdown();

    assertThat(alice.next()).isEqualTo(json("{\"type\": \"going_away\", \"retryAfterMs\": 250}"));
    assertThat(alice.awaitClose()).isEqualTo(1001);
    assertThat(bob.next("going_away").get("retryAfterMs").getAsInt()).isEqualTo(250);
    assertThat(bob.awaitClose()).isEqualTo(1001);
  }

  @Test
  void aNewRelayCanBindTheSamePortRightAfterShutdown() throws Exception {
    startRelay();
    int port = relay.port();
    WsClient alice = connect("alice");
    relay.shutdown();
    assertThat(alice.awaitClose()).isEqualTo(1001);

    startRelay(b -> b.listen(new InetSocketAddress("127.0.0.1", port)));

    assertThat(relay.port()).isEqualTo(port);
    connect("alice").send(frame("ping"));
  }

  @Test
  void exceedingTheMessageRateCloses4011ButPingsAreFree() throws Exception {
    startRelay(b -> b.rateLimit(1, 5));
    WsClient pinger = connect("pinger");
    for (int i = 0; i < 30; i++) {
      pinger.send(frame("ping"));
      pinger.next("pong");
    }
    WsClient flooder = connect("flooder");
    WsClient bystander = connect("bystander");

    for (int i = 0; i < 5; i++) {
      flooder.send(frame("publish", "channel", "room", "data", i, "requestId", "p" + i));
      flooder.next("ack");
    }
    flooder.send(frame("publish", "channel", "room", "data", 6, "requestId", "p6"));

    assertThat(flooder.awaitClose()).isEqualTo(4011);
    assertThat(pinger.isClosed()).isFalse();
    bystander.send(frame("ping"));
    bystander.next("pong");
  }

  @Test
  void framesOverMaxMessageSizeClose1009() throws Exception {
    startRelay();
    WsClient alice = connect("alice");
    WsClient bystander = connect("bystander");
    String fits = "{\"type\":\"publish\",\"channel\":\"room\",\"requestId\":\"big\",\"data\":\"";
    fits = fits + "x".repeat(65536 - fits.length() - 2) + "\"}";
    assertThat(fits.length()).isEqualTo(65536);

    alice.send(fits);
    alice.next("ack");
    alice.send(fits.replace("\"}", "xx\"}"));

    assertThat(alice.awaitClose()).isEqualTo(1009);
    bystander.send(frame("ping"));
    bystander.next("pong");
  }

  @Test
  void silentConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    startRelay(b -> b.pingInterval(Duration.ZERO).idleTimeout(Duration.ofMillis(500)));
    WsClient silent = connect("silent");

    assertThat(silent.awaitClose(Duration.ofSeconds(5))).isEqualTo(4000);
  }

  @Test
  void answeringServerPingsKeepsAConnectionAlive() throws Exception {
    // The JDK client answers RFC 6455 pings with pongs by itself; that alone must count as
    // activity.
    startRelay(b -> b.pingInterval(Duration.ofMillis(100)).idleTimeout(Duration.ofMillis(600)));
    WsClient quiet = connect("quiet");

    await()
        .during(Duration.ofMillis(2000))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !quiet.isClosed());
  }
}
