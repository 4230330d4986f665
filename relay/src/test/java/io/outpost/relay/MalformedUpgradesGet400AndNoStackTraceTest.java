package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Before authentication nothing reaches a stack trace or an HTTP 500: malformed upgrade requests
 * get 400 (426 for another WebSocket version), half-sent requests are closed after {@code
 * requestTimeout}, and connection resets at any point are logged at DEBUG at most.
 */
@Timeout(60)
class MalformedUpgradesGet400AndNoStackTraceTest extends RelayTestSupport {
  private static final String KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  private RelayLog log;

  @BeforeEach
  void start() throws Exception {
    log = new RelayLog();
    startRelay(b -> b.requestTimeout(Duration.ofMillis(800)));
  }

  @AfterEach
  void nothingWasLoggedAsTroubleAndOthersAreServed() throws Exception {
    WsClient c = connect("after");
    c.send(frame("ping"));
    c.next("pong");
    assertThat(log.troubles()).as("warnings, errors or stack traces").isEmpty();
  }

  @Test
  void upgradeWithoutSecWebSocketKeyGets400() throws Exception {
    assertThat(
            answer(
                "GET /v1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
    assertThat(
            answer(
                "GET /v1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
  }

  @Test
  void upgradeOverHttp10Gets400() throws Exception {
    assertThat(
            answer(
                "GET /v1 HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + KEY
                    + "\r\n"))
        .contains(" 400 ");
  }

  @Test
  void anotherWebSocketVersionGets426NamingVersion13() throws Exception {
    assertThat(
            answer(
                "GET /v1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 99\r\n"
                    + KEY
                    + "\r\n"))
        .startsWith("HTTP/1.1 426")
        .contains("Sec-WebSocket-Version: 13");
  }

  @Test
  void anOversizedHeaderBlockIsRefusedWithoutA500() throws Exception {
    String answer =
        answer(
            "GET /v1?token="
                + "a".repeat(70 * 1024)
                + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + KEY
                + "\r\n");
    assertThat(answer).doesNotContain(" 101 ").doesNotContain(" 500 ");
  }

  @Test
  void halfSentRequestsAreClosedAfterTheRequestTimeout() throws Exception {
    String[] halves = {
      "GET /v1?token=abc HTTP/1.1\r\nHost: x\r\nUpgrade: webs",
      "POST /v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n"
          + "Authorization: Bearer sk_id_test:sk_secret_test\r\n\r\n{\"pe",
    };
    for (String half : halves) {
      try (Socket s = raw()) {
        s.getOutputStream().write(half.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        long start = System.nanoTime();
        String answer = readAll(s.getInputStream());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(answer).as("answer to %s", half).doesNotContain(" 500 ");
        assertThat(millis).as("closed after the request timeout").isBetween(500L, 5_000L);
      }
    }
  }

  @Test
  void connectionResetsAreNotTrouble() throws Exception {
    String token = relay.mintToken(TokenRequest.builder("resetter").build());
    String[] prefixes = {
      "GET /v1?token=" + token + " HTTP/1.1\r\nHost: x\r\nUpgr",
      "GET /v1?token="
          + token
          + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Version: 13\r\n"
          + KEY
          + "\r\n",
      "POST /v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{",
    };
    for (String prefix : prefixes) {
      Socket s = raw();
      s.getOutputStream().write(prefix.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().write(new byte[] {(byte) 0x81, (byte) 0xFE, 0x10}); // and a torn frame
      s.getOutputStream().flush();
      Thread.sleep(100);
      s.setSoLinger(true, 0); // close with RST
      s.close();
    }
    Thread.sleep(300);
  }

  private String answer(String request) throws IOException {
    try (Socket s = raw()) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return readAll(s.getInputStream());
    }
  }

  private Socket raw() throws IOException {
    Socket s = new Socket("127.0.0.1", relay.port());
    s.setSoTimeout(10_000);
    return s;
  }

  private static String readAll(InputStream in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (IOException timeoutOrReset) {
      // what arrived is the answer
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
