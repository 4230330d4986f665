package io.outpost.agent.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.outpost.agent.RelayFixture;
import io.outpost.agent.config.TokenSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Provisioning a device token from the relay's token endpoint, and the errors a device sees when
 * that fails.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TokenFetcherTest {
  private final TokenFetcher fetcher = new TokenFetcher("pi-7", "north");

  @Test
  void provisionsATokenFromTheRelayWithTheSecretKeyAsBearer() throws Exception {
    try (RelayFixture relay = RelayFixture.started()) {
      var source =
          new TokenSource.FromUrl(
              URI.create(relay.httpBase() + "/tokens"),
              new TokenSource.Fixed(relay.bearer()),
              Duration.ofMinutes(5));

      String token = fetcher.fetch(source);

      // A JWT that the relay accepts for this device (three dot-separated parts).
      assertEquals(3, token.split("\\.").length, token.length() + " chars");
    }
  }

  @Test
  void aRejectedBearerIsReportedWithTheStatusButNotTheSecret() throws Exception {
    try (RelayFixture relay = RelayFixture.started()) {
      var source =
          new TokenSource.FromUrl(
              URI.create(relay.httpBase() + "/tokens"),
              new TokenSource.Fixed("sk_wrong:secret-value"),
              Duration.ofMinutes(5));

      IOException e = assertThrows(IOException.class, () -> fetcher.fetch(source));

      assertTrue(
          e.getMessage()
              .startsWith("token endpoint " + relay.httpBase() + "/tokens answered HTTP 4"),
          e.getMessage());
      assertFalse(e.getMessage().contains("secret-value"), e.getMessage());
    }
  }

  @Test
  void anEndpointNobodyListensOnIsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    var source =
        new TokenSource.FromUrl(
            URI.create("http://127.0.0.1:" + port + "/v1/tokens"), null, Duration.ofMinutes(5));

    IOException e = assertThrows(IOException.class, () -> fetcher.fetch(source));

    assertTrue(
        e.getMessage()
            .startsWith("token endpoint http://127.0.0.1:" + port + "/v1/tokens unreachable: "),
        e.getMessage());
  }
}
