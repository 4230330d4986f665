package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.outpost.relay.internal.Jwt;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Input the relay used to accept by being lenient is refused with a clear error: JSON that is not
 * RFC 8259 (single quotes, comments, NaN, unquoted names, trailing content) on the WebSocket and on
 * REST, and a token whose {@code exp} lies beyond 9999 (which used to get a welcome and then an
 * immediate 4002).
 */
@Timeout(30)
class LenientInputIsRejectedTest extends RelayTestSupport {
  private static final String[] LENIENT = {
    "{'type':'ping'}",
    "{\"type\":\"publish\",\"channel\":\"room\",\"data\":1} trailing",
    "{\"type\":\"publish\",\"channel\":\"room\",\"data\":NaN,\"requestId\":\"n\"}",
    "{\"type\":\"ping\" /* comment */}",
    "// comment\n{\"type\":\"ping\"}",
    "{type:\"ping\"}",
    "{\"type\":\"ping\"}{\"type\":\"ping\"}",
  };

  @BeforeEach
  void start() throws Exception {
    startRelay();
  }

  @Test
  void lenientJsonFramesGetMalformedMessageAndNothingElse() {
    WsClient alice = connect("alice");
    WsClient bob = connect("bob");
    subscribe(bob, "room");
    for (String text : LENIENT) {
      alice.send(text);
      JsonObject error = alice.next("error");
      assertThat(error.get("code").getAsString()).as(text).isEqualTo("malformed_message");
      assertThat(error.get("message").getAsString())
          .as(text)
          .startsWith("frame is not valid JSON")
          .contains("line 1 column")
          .doesNotContain("setStrictness")
          .doesNotContain("https://");
    }
    alice.send(frame("ping"));
    alice.next("pong");
    bob.assertNoFrame(java.time.Duration.ofMillis(200));
  }

  @Test
  void lenientJsonRestBodiesGet400InvalidRequest() throws Exception {
    String bearer = relay.secretKey().bearer();
    String[] bodies = {
      "{'data': 1}",
      "{\"data\": NaN}",
      "{\"data\": 1} trailing",
      "{\"data\": 1 /* comment */}",
      "{data: 1}",
    };
    for (String body : bodies) {
      Http r = http("POST", "/channels/room/publish", bearer, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.body().get("error").getAsString()).as(body).isEqualTo("invalid_request");
      assertThat(r.body().get("message").getAsString())
          .as(body)
          .contains("not valid JSON")
          .contains("line 1 column")
          .doesNotContain("setStrictness");
    }
    assertThat(http("POST", "/channels/room/publish", bearer, "{\"data\": 1}").status())
        .isEqualTo(200);
  }

  @Test
  void aTokenExpiringAfterTheYear9999IsRefusedAt4001WithoutAWelcome() {
    for (double exp : new double[] {1e16, 1e300}) {
      JsonObject claims = new JsonObject();
      claims.addProperty("sub", "far");
      claims.addProperty("exp", exp);
      WsClient c =
          track(WsClient.connect(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", claims))));
      assertThat(c.awaitClose()).as("exp %s", exp).isEqualTo(4001);
      assertThat(c.pending()).as("frames before the close").isZero();
    }
    JsonObject claims = new JsonObject();
    claims.addProperty("sub", "late");
    claims.addProperty("exp", Instant.parse("9999-12-31T00:00:00Z").getEpochSecond());
    WsClient late =
        track(WsClient.connectWelcomed(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", claims))));
    late.send(frame("ping"));
    late.next("pong");
  }
}
