package io.outpost.agent;

import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import io.outpost.relay.TokenRequest;
import io.outpost.testsupport.RelayExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real relay on a loopback port that a test can stop and start again on the same port with the
 * same keys ({@link RelayExtension} does the lifecycle), plus what the agent tests ask of it:
 * tokens, the agent's network section, REST publishes.
 */
public final class RelayFixture implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final RelayKeys keys = RelayKeys.development();
  private final RelayExtension<Relay> relay =
      RelayExtension.of(
          port ->
              Relay.start(
                  RelaySettings.builder()
                      .listen(new InetSocketAddress("127.0.0.1", port))
                      .keys(keys)
                      .build()));
  private final int port = relay.port();

  private RelayFixture() {}

  /** A fixture on a free port, not started yet. */
  public static RelayFixture onFreePort() {
    return new RelayFixture();
  }

  public static RelayFixture started() throws IOException {
    RelayFixture f = onFreePort();
    f.start();
    return f;
  }

  public synchronized void start() throws IOException {
    relay.start();
  }

  public synchronized void stop() {
    try {
      relay.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the relay failed", e);
    }
  }

  public synchronized Relay relay() {
    return relay.relay();
  }

  public String origin() {
    return "ws://127.0.0.1:" + port;
  }

  public String httpBase() {
    return "http://127.0.0.1:" + port + "/v1";
  }

  public String bearer() {
    var k = keys.firstSecretKey().orElseThrow();
    return k.id() + ":" + k.secret();
  }

  /** The agent's {@code network} section: provisioning through the relay's token endpoint. */
  public Map<String, Object> network(String ttl) {
    return Map.of(
        "url",
        origin(),
        "token",
        Map.of("url", httpBase() + "/tokens", "bearer", Map.of("value", bearer()), "ttl", ttl));
  }

  public String mint(String peerId, List<String> channels, List<String> permissions) {
    return relay()
        .mintToken(
            TokenRequest.builder(peerId)
                .channels(channels)
                .permissions(permissions)
                .ttl(Duration.ofHours(1))
                .build());
  }

  /**
   * {@code POST /v1/channels/{channel}/publish} with {@code {"data": dataJson}}; returns the HTTP
   * status.
   */
  public int publish(String channel, String dataJson) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(
                    httpBase()
                        + "/channels/"
                        + URLEncoder.encode(channel, StandardCharsets.UTF_8)
                        + "/publish"))
            .header("Authorization", "Bearer " + bearer())
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString("{\"data\": " + dataJson + "}"))
            .build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Override
  public void close() {
    stop();
  }
}
