package io.outpost.relay;

import com.google.gson.JsonObject;
import io.outpost.log.JulBridge;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * Starts relays on ephemeral loopback ports and connects clients; everything is closed after each
 * test.
 */
abstract class RelayTestSupport {
  static {
    JulBridge.install();
  }

  static final String KEYS_JSON =
      """
      {"keys": [
        {"id": "sk_id_test", "secret": "sk_secret_test", "channelPatterns": ["**"],
         "actions": ["publish", "subscribe", "presence", "send"]},
        {"id": "sk_id_narrow", "secret": "sk_secret_narrow", "channelPatterns": ["app/*"],
         "actions": ["publish", "subscribe"]},
        {"id": "pk_live_rooms", "channelPatterns": ["room-*"], "actions": ["publish", "subscribe", "presence"],
         "allowedOrigins": ["*"]},
        {"id": "pk_live_site", "channelPatterns": ["room-*"], "actions": ["subscribe"],
         "allowedOrigins": ["https://app.example.com"]}]}
      """;

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final List<AutoCloseable> resources = new ArrayList<>();
  Relay relay;

  /** Starts the relay with the test keys and the given tweaks to default settings. */
  Relay startRelay(UnaryOperator<RelaySettings.Builder> tweak) throws IOException {
    RelaySettings settings =
        tweak
            .apply(
                RelaySettings.builder()
                    .listen(new InetSocketAddress("127.0.0.1", 0))
                    .keys(RelayKeys.parse(KEYS_JSON)))
            .build();
    relay = Relay.start(settings);
    resources.add(relay);
    return relay;
  }

  Relay startRelay() throws IOException {
    return startRelay(b -> b);
  }

  URI tokenUri(String token) {
    return URI.create(
        relay.webSocketOrigin() + "/v1?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
  }

  URI keyUri(String key) {
    return URI.create(
        relay.webSocketOrigin() + "/v1?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8));
  }

  /**
   * Connects with a token for {@code peerId} (full scope of the test secret key) and waits for
   * welcome.
   */
  WsClient connect(String peerId) {
    return connect(TokenRequest.builder(peerId).build());
  }

  WsClient connect(TokenRequest request) {
    return track(WsClient.connectWelcomed(tokenUri(relay.mintToken(request))));
  }

  WsClient track(WsClient client) {
    return closeLater(client);
  }

  /** Closes {@code resource} after the test (in reverse order of registration). */
  <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  static JsonObject frame(String type, Object... kv) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      if (v instanceof JsonObject j) {
        o.add((String) kv[i], j);
      } else if (v instanceof Boolean b) {
        o.addProperty((String) kv[i], b);
      } else if (v instanceof Number n) {
        o.addProperty((String) kv[i], n);
      } else {
        o.addProperty((String) kv[i], (String) v);
      }
    }
    return o;
  }

  static JsonObject json(String text) {
    return com.google.gson.JsonParser.parseString(text).getAsJsonObject();
  }

  /** Subscribes and consumes the ack and the presence snapshot. */
  static void subscribe(WsClient c, String channel) {
    c.send(frame("subscribe", "channel", channel, "requestId", "s-" + channel));
    c.next("ack");
    c.next("presence");
  }

  record Http(int status, JsonObject body, String raw) {}

  Http http(String method, String path, String bearer, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(relay.httpBase() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonObject parsed = null;
    try {
      parsed = json(r.body());
    } catch (RuntimeException notJson) {
      // keep raw
    }
    return new Http(r.statusCode(), parsed, r.body());
  }

  @AfterEach
  void closeResources() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    resources.clear();
  }
}
