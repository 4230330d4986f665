package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.testsupport.StrictWsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every inbound message over {@code maxMessageSize} (64 KB) closes the socket with 1009, whatever
 * its size or framing and whoever sends it (Node's {@code ws}, the JDK client, a raw socket), with
 * one INFO line and no stack trace; a message of exactly 64 KB is delivered. The relay does not
 * negotiate {@code permessage-deflate}, so there is no compressed message to inflate past the cap.
 */
@Timeout(90)
class OversizedFramesClose1009Test extends RelayTestSupport {
  private RelayLog log;
  private WsClient bystander;

  @BeforeEach
  void start() throws Exception {
    log = new RelayLog();
    startRelay();
    bystander = connect("bystander");
    subscribe(bystander, "quiet");
  }

  @AfterEach
  void othersAreServedAndNothingWasLoggedAsTrouble() throws Exception {
    WsClient publisher = connect("publisher");
    publisher.send(frame("publish", "channel", "quiet", "data", "still here", "requestId", "p"));
    publisher.next("ack");
    assertThat(bystander.next("message").get("data").getAsString()).isEqualTo("still here");
    assertThat(log.troubles()).as("warnings, errors or stack traces").isEmpty();
  }

  @Test
  void nodeWsSingleFramesOverTheCapAreClosedWith1009AtEverySize() throws Exception {
    assertThat(nodeOversize(65536)).containsExactly("EXTENSIONS none", "ACK");
    for (int size : new int[] {65537, 100_000, 132_096, 132_097, 1_000_000}) {
      assertThat(nodeOversize(size))
          .as("%d bytes", size)
          .containsExactly("EXTENSIONS none", "CLOSE 1009");
    }
    assertThat(log.lines().stream().filter(l -> l.contains("closing with 1009")))
        .as("one INFO line per oversized message")
        .hasSize(5)
        .allMatch(l -> l.startsWith("INFO"));
  }

  @Test
  void rawSocketFramesOverTheCapAreClosedWith1009() throws Exception {
    byte[] big = publishOf(70_000);
    assertThat(closeCodeAfter(StrictWsClient.frame(0x81, big))).isEqualTo(1009);
    // a fragmented message whose fragments fit but whose sum does not
    byte[] half = new byte[40_000];
    ByteArrayOutputStream fragmented = new ByteArrayOutputStream();
    fragmented.writeBytes(StrictWsClient.frame(0x01, half));
    fragmented.writeBytes(StrictWsClient.frame(0x80, half));
    assertThat(closeCodeAfter(fragmented.toByteArray())).isEqualTo(1009);
    // a header announcing a terabyte, with no payload behind it
    assertThat(
            closeCodeAfter(
                new byte[] {(byte) 0x81, (byte) 0xFF, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4}))
        .isEqualTo(1009);
  }

  @Test
  void rawSocketHeaderSplitAcrossWritesStillParses() throws Exception {
    try (StrictWsClient c =
        StrictWsClient.connect(
            tokenUri(relay.mintToken(TokenRequest.builder("split").build())), 0)) {
      c.nextText(); // welcome
      byte[] f = StrictWsClient.frame(0x81, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      for (byte b : f) {
        c.writeRaw(new byte[] {b});
        Thread.sleep(2);
      }
      assertThat(c.nextText()).isEqualTo("{\"type\":\"pong\"}");
    }
  }

  @Test
  void theJdkClientsOversizedMessageIsClosedWith1009() {
    WsClient alice = connect("alice");
    try {
      alice.send(new String(publishOf(200_000), StandardCharsets.UTF_8));
    } catch (RuntimeException closedWhileSending) {
      // the relay may close before the client has written the whole message
    }
    assertThat(alice.awaitClose()).isEqualTo(1009);
  }

  private List<String> nodeOversize(int size) throws Exception {
    String url =
        relay.webSocketOrigin()
            + "/v1?token="
            + URLEncoder.encode(
                relay.mintToken(TokenRequest.builder("node-" + size).build()),
                StandardCharsets.UTF_8);
    return NodeScript.run("abuse.cjs", "oversize", url, Integer.toString(size));
  }

  private int closeCodeAfter(byte[] bytes) throws IOException {
    URI uri = tokenUri(relay.mintToken(TokenRequest.builder("raw").build()));
    try (StrictWsClient c = StrictWsClient.connect(uri, 0)) {
      c.nextText(); // welcome
      c.writeRaw(bytes);
      for (StrictWsClient.Frame f; (f = c.read()) != null; ) {
        if (f.opcode() == StrictWsClient.CLOSE) {
          return f.closeCode();
        }
      }
      throw new AssertionError("stream ended without a close frame");
    }
  }

  private static byte[] publishOf(int size) {
    String head = "{\"type\":\"publish\",\"channel\":\"room\",\"requestId\":\"big\",\"data\":\"";
    return (head + "x".repeat(size - head.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
  }
}
