package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.outpost.relay.internal.Jwt;
import io.outpost.relay.internal.LogSafe;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Values that come from the network and end up in the relay's log (token claims, headers, close
 * reasons) cannot forge log lines or drive the terminal: newlines, control characters and escape
 * sequences are escaped, and long values are cut.
 */
@Timeout(30)
class NetworkValuesAreEscapedInLogsTest extends RelayTestSupport {
  private static final String FORGED =
      "x\n2026-01-01 00:00:00.000 ERROR [main] FAKE LOG LINE \u001b[31mred";

  @Test
  void aForgedLineInATokenClaimStaysOnTheRefusalLine() throws Exception {
    RelayLog log = new RelayLog();
    startRelay();
    JsonObject claims = new JsonObject();
    claims.addProperty("sub", "mallory");
    JsonArray channels = new JsonArray();
    channels.add(FORGED + "\\"); // a bad escape, so the refusal quotes the pattern
    claims.add("channels", channels);
    WsClient c =
        track(WsClient.connect(tokenUri(Jwt.sign("sk_id_test", "sk_secret_test", claims))));
    assertThat(c.awaitClose()).isEqualTo(4001);
    // an Origin header with an escape sequence, refused for a publishable key
    try (Socket s = new Socket("127.0.0.1", relay.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /v1?key=pk_live_site HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Origin: https://evil.example\u001b[2J"
                  + "o".repeat(500)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      s.getInputStream().readAllBytes();
    }

    List<String> lines = log.lines();
    assertThat(lines).noneMatch(l -> l.startsWith("2026-01-01"));
    assertThat(lines).noneMatch(l -> l.indexOf('\u001b') >= 0);
    assertThat(lines).anyMatch(l -> l.contains("refused with 4001") && l.contains("\\n2026-01-01"));
    assertThat(lines)
        .anyMatch(
            l ->
                l.contains("refused with 403") && l.contains("\\u001b[2J") && l.contains("chars)"));
    assertThat(lines).allMatch(l -> l.length() < 1000);
  }

  @Test
  void logSafeEscapesControlsAndBoundsLength() {
    assertThat(LogSafe.of("a\nb\r\tc\u001b[0m\u0085\u2028\u202e\\"))
        .isEqualTo("a\\nb\\r\\tc\\u001b[0m\\u0085\\u2028\\u202e\\\\");
    assertThat(LogSafe.of("plain")).isEqualTo("plain");
    assertThat(LogSafe.of(null)).isEqualTo("null");
    String longValue = "y".repeat(1000);
    assertThat(LogSafe.of(longValue))
        .hasSize(LogSafe.MAX_CHARS + "…(1000 chars)".length())
        .endsWith("…(1000 chars)");
  }
}
