package io.outpost.relay.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's HTTP side: static files, login codes, page tokens, the recent window. */
class DashboardTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Relay relay;
  private String base;

  @BeforeEach
  void start() throws Exception {
    relay =
        Relay.start(
            RelaySettings.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .keys(RelayKeys.development())
                .build());
    base = "http://127.0.0.1:" + relay.port();
  }

  @AfterEach
  void stop() {
    relay.close();
  }

  @Test
  void servesThePageWithAPolicyThatLoadsNothingFromElsewhere() throws Exception {
    HttpResponse<String> page = get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .startsWith("default-src 'self'");
    assertThat(page.body()).contains("<script src=\"/dashboard/app.js\"></script>");
    assertThat(get("/dashboard/vendor/uPlot.iife.min.js", null).statusCode()).isEqualTo(200);
    assertThat(get("/dashboard/../v1/usage", null).statusCode()).isEqualTo(404);
    assertThat(get("/dashboard/nothing.js", null).statusCode()).isEqualTo(404);
    // The REST API keeps its own answers.
    assertThat(get("/v1/nothing", null).body()).contains("\"error\":\"not_found\"");
  }

  @Test
  void aLoginCodeBuysAPageTokenWithTheRightsOfItsRole() throws Exception {
    String viewerCode = code(false);
    String operatorCode = code(true);
    assertThat(viewerCode).isNotEqualTo(operatorCode).hasSizeGreaterThanOrEqualTo(24);

    assertThat(login("wrong").statusCode()).isEqualTo(401);
    assertThat(post("/dashboard/api/session", "not json").statusCode()).isEqualTo(400);

    JsonObject viewer = JsonParser.parseString(login(viewerCode).body()).getAsJsonObject();
    assertThat(viewer.get("operator").getAsBoolean()).isFalse();
    assertThat(viewer.get("peerId").getAsString()).startsWith(Dashboard.PEER_PREFIX);
    JsonObject claims = claims(viewer.get("token").getAsString());
    assertThat(claims.get("permissions").toString()).isEqualTo("[\"subscribe\",\"presence\"]");
    assertThat(claims.get("channels").toString())
        .isEqualTo("[\"devices/*/events\",\"devices/*/commands\",\"fleets/*/commands\"]");
    assertThat(claims.get("exp").getAsLong() - claims.get("iat").getAsLong()).isEqualTo(3600);

    JsonObject operator = JsonParser.parseString(login(operatorCode).body()).getAsJsonObject();
    assertThat(operator.get("operator").getAsBoolean()).isTrue();
    assertThat(claims(operator.get("token").getAsString()).get("permissions").toString())
        .isEqualTo("[\"subscribe\",\"presence\",\"publish\"]");
  }

  @Test
  void historyAndChannelsNeedAPageToken() throws Exception {
    String token =
        JsonParser.parseString(login(code(false)).body())
            .getAsJsonObject()
            .get("token")
            .getAsString();
    String bearer = "Bearer " + relay.secretKey().bearer();
    publish("devices/pi-1/events", "{\"type\": \"status\", \"device\": \"pi-1\"}");
    publish("rooms/other", "{\"x\": 1}");

    assertThat(get("/dashboard/api/history?channel=devices%2Fpi-1%2Fevents", null).statusCode())
        .isEqualTo(401);
    // A REST secret is not a page token.
    assertThat(get("/dashboard/api/channels", bearer).statusCode()).isEqualTo(401);
    HttpResponse<String> h =
        get("/dashboard/api/history?channel=devices%2Fpi-1%2Fevents", "Bearer " + token);
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.body()).contains("\"device\":\"pi-1\"");
    assertThat(get("/dashboard/api/history?channel=rooms%2Fother", "Bearer " + token).statusCode())
        .isEqualTo(403);
    assertThat(get("/dashboard/api/channels", "Bearer " + token).body())
        .contains("\"events\":[\"devices/pi-1/events\"]");
  }

  @Test
  void theRecentWindowIsBoundedInCountBytesAndAge() {
    MutableClock clock = new MutableClock();
    RecentEvents recent = new RecentEvents(clock);
    for (int i = 0; i < RecentEvents.MAX_MESSAGES + 10; i++) {
      recent.record("devices/a/events", JsonParser.parseString("{\"i\": " + i + "}"));
    }
    recent.record("rooms/x", JsonParser.parseString("{}"));
    var messages =
        recent.history("devices/a/events", RecentEvents.WINDOW_MS).getAsJsonArray("messages");
    assertThat(messages).hasSize(RecentEvents.MAX_MESSAGES);
    assertThat(messages.get(0).getAsJsonObject().getAsJsonObject("data").get("i").getAsInt())
        .isEqualTo(10);
    assertThat(recent.channels().toString()).isEqualTo("[\"devices/a/events\"]");

    String big = "{\"s\": \"" + "x".repeat(100_000) + "\"}";
    recent.record("devices/b/events", JsonParser.parseString(big));
    recent.record("devices/b/events", JsonParser.parseString(big));
    recent.record("devices/b/events", JsonParser.parseString(big));
    assertThat(
            recent.history("devices/b/events", RecentEvents.WINDOW_MS).getAsJsonArray("messages"))
        .hasSize(2);

    clock.advance(Duration.ofMillis(RecentEvents.WINDOW_MS + 1));
    assertThat(
            recent.history("devices/a/events", RecentEvents.WINDOW_MS).getAsJsonArray("messages"))
        .isEmpty();
    for (int i = 0; i < RecentEvents.MAX_CHANNELS + 5; i++) {
      recent.record("devices/d" + i + "/events", JsonParser.parseString("{}"));
    }
    assertThat(recent.channels()).hasSize(RecentEvents.MAX_CHANNELS);
  }

  @Test
  void theRecentWindowKeepsTheMessagesOfAReplayEnvelopeOneByOne() {
    RecentEvents recent = new RecentEvents(new MutableClock());
    recent.record(
        "devices/a/events",
        JsonParser.parseString(
            "{\"type\": \"replay\", \"device\": \"a\", \"stream\": \"s\", \"messages\": ["
                + "{\"type\": \"telemetry\", \"seq\": 1}, {\"type\": \"status\", \"seq\": 2}]}"));
    recent.record(
        "devices/a/events", JsonParser.parseString("{\"type\": \"telemetry\", \"seq\": 3}"));

    var messages =
        recent.history("devices/a/events", RecentEvents.WINDOW_MS).getAsJsonArray("messages");
    assertThat(messages)
        .extracting(m -> m.getAsJsonObject().getAsJsonObject("data").get("seq").getAsInt())
        .containsExactly(1, 2, 3);
  }

  private String code(boolean operator) {
    String url = relay.dashboardUrl(operator).orElseThrow().toString();
    assertThat(url).startsWith(base + "/#login=");
    return url.substring(url.indexOf("#login=") + 7);
  }

  private HttpResponse<String> login(String code) throws Exception {
    return post("/dashboard/api/session", "{\"login\": \"" + code + "\"}");
  }

  private void publish(String channel, String data) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        base
                            + "/v1/channels/"
                            + java.net.URLEncoder.encode(channel, StandardCharsets.UTF_8)
                            + "/publish"))
                .header("Authorization", "Bearer " + relay.secretKey().bearer())
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\": " + data + "}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject claims(String jwt) {
    String payload = jwt.split("\\.")[1];
    return JsonParser.parseString(
            new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T12:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
