package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.realtime.RealtimeConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transport against a server scripted byte by byte, for what the relay never does: fragments,
 * protocol violations, a silent or rejecting upgrade, a peer that stops reading.
 */
@Timeout(20)
class WebSocketTransportTest {

  private static final String TOKEN = "secret-token-1234567890";

  private ServerSocket server;
  private EventLoop events;
  private WebSocketTransport transport;
  private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
  private final Connection conn = new Connection(7, false, TOKEN, new TokenBucket(0, 0, 0));

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    events = new EventLoop("test-events");
    transport =
        new WebSocketTransport(
            RealtimeConfig.builder()
                .url("ws://127.0.0.1:" + server.getLocalPort())
                .token(TOKEN)
                .connectTimeout(Duration.ofMillis(400))
                .closeTimeout(Duration.ofMillis(400))
                .build(),
            "test-client",
            9_000,
            events,
            new WebSocketTransport.Sink() {
              @Override
              public void opened(Connection c) {
                seen.add("opened");
              }

              @Override
              public void frame(Connection c, String text) {
                seen.add("frame " + text);
              }

              @Override
              public void closed(Connection c, int code, String reason) {
                seen.add("closed " + code + " " + reason);
              }

              @Override
              public void failed(Connection c, String message) {
                seen.add("failed " + message);
              }
            });
  }

  @AfterEach
  void stop() throws IOException {
    transport.shutdown();
    events.shutdownNow();
    server.close();
  }

  private String target() {
    return "ws://127.0.0.1:" + server.getLocalPort() + "/v1";
  }

  /** Opens the connection and completes the upgrade on the server side. */
  private Peer openAndUpgrade() throws Exception {
    transport.open(conn, URI.create(target() + "?token=" + TOKEN));
    Peer peer = new Peer(server.accept());
    Map<String, String> request = peer.readRequest();
    peer.respond(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + Handshake.accept(request.get("sec-websocket-key"))
            + "\r\n\r\n");
    assertThat(next()).isEqualTo("opened");
    return peer;
  }

  private String next() throws InterruptedException {
    String event = seen.poll(5, TimeUnit.SECONDS);
    assertThat(event).as("an event from the transport").isNotNull();
    return event;
  }

  @Test
  void sendsTheUpgradeAndMaskedFramesEachWithItsOwnKey() throws Exception {
    transport.open(conn, URI.create(target() + "?token=" + TOKEN));
    Peer peer = new Peer(server.accept());
    Map<String, String> request = peer.readRequest();
    assertThat(request.get(":request-line")).isEqualTo("GET /v1?token=" + TOKEN + " HTTP/1.1");
    assertThat(request)
        .containsEntry("host", "127.0.0.1:" + server.getLocalPort())
        .containsEntry("upgrade", "websocket")
        .containsEntry("connection", "Upgrade")
        .containsEntry("sec-websocket-version", "13");
    assertThat(Base64Length.decoded(request.get("sec-websocket-key"))).isEqualTo(16);
    peer.respond(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade"
            + "\r\nsec-websocket-accept: "
            + Handshake.accept(request.get("sec-websocket-key"))
            + "\r\n\r\n");
    assertThat(next()).isEqualTo("opened");
    assertThat(conn.link.isOpen()).isTrue();

    String big = "x".repeat(70_000); // the 64-bit length form
    transport.send(conn, "{\"type\":\"ping\"}");
    transport.send(conn, "{\"type\":\"ping\"}");
    transport.send(conn, big);
    Frame first = peer.readFrame();
    Frame second = peer.readFrame();
    assertThat(first.text()).isEqualTo("{\"type\":\"ping\"}");
    assertThat(second.text()).isEqualTo("{\"type\":\"ping\"}");
    assertThat(first.mask).isNotEqualTo(second.mask);
    assertThat(peer.readFrame().text()).isEqualTo(big);
  }

  @Test
  void fragmentedTextIsReassembledAcrossAPingAndBinaryIsIgnored() throws Exception {
    Peer peer = openAndUpgrade();
    byte[] text = "héllo wörld".getBytes(StandardCharsets.UTF_8);
    // Split inside the two-byte "é": only the whole message must be valid UTF-8.
    peer.writeFrame(false, 0x1, java.util.Arrays.copyOfRange(text, 0, 2));
    peer.writeFrame(true, 0x9, "are you there".getBytes(StandardCharsets.UTF_8));
    peer.writeFrame(false, 0x0, java.util.Arrays.copyOfRange(text, 2, 7));
    peer.writeFrame(true, 0x0, java.util.Arrays.copyOfRange(text, 7, text.length));
    peer.writeFrame(true, 0x2, new byte[] {1, 2, 3});
    peer.writeFrame(true, 0xA, new byte[0]); // an unsolicited pong is ignored
    peer.writeFrame(true, 0x1, "after".getBytes(StandardCharsets.UTF_8));

    Frame pong = peer.readFrame();
    assertThat(pong.opcode).isEqualTo(0xA);
    assertThat(pong.text()).isEqualTo("are you there");
    assertThat(next()).isEqualTo("frame héllo wörld");
    assertThat(next()).isEqualTo("frame after");
  }

  @Test
  void aMaskedServerFrameIsAProtocolError() throws Exception {
    Peer peer = openAndUpgrade();
    peer.out.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});
    assertThat(next()).isEqualTo("closed 1002 masked frame from the server");
    assertThat(peer.readFrame().closeCode()).isEqualTo(1002);
  }

  static Stream<Arguments> protocolViolations() {
    return Stream.of(
        Arguments.of(
            "reserved bit", new byte[] {(byte) 0xC1, 0}, "reserved bits set without an extension"),
        Arguments.of("unknown opcode", new byte[] {(byte) 0x83, 0}, "unknown opcode 3"),
        Arguments.of(
            "fragmented ping", new byte[] {0x09, 0}, "fragmented or oversized control frame"),
        Arguments.of(
            "126-byte pong",
            new byte[] {(byte) 0x8A, 126, 0, 126},
            "fragmented or oversized control frame"),
        Arguments.of(
            "lone continuation", new byte[] {(byte) 0x80, 0}, "continuation without a message"),
        Arguments.of(
            "text inside a fragmented text",
            new byte[] {0x01, 1, 'a', (byte) 0x81, 1, 'b'},
            "new message inside a fragmented one"),
        Arguments.of(
            "one-byte close payload",
            new byte[] {(byte) 0x88, 1, 3},
            "close frame with a one-byte payload"),
        Arguments.of(
            "close code 1005 on the wire",
            new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xED},
            "invalid close code 1005"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocolViolations")
  void protocolViolationsCloseWith1002(String what, byte[] bytes, String reason) throws Exception {
    Peer peer = openAndUpgrade();
    peer.out.write(bytes);
    assertThat(next()).isEqualTo("closed 1002 " + reason);
    assertThat(peer.readFrame().closeCode()).isEqualTo(1002);
  }

  @Test
  void invalidUtf8ClosesWith1007() throws Exception {
    Peer peer = openAndUpgrade();
    peer.writeFrame(true, 0x1, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});
    assertThat(next()).isEqualTo("closed 1007 invalid UTF-8 in a text message");
    assertThat(peer.readFrame().closeCode()).isEqualTo(1007);
  }

  @Test
  void aMessageOverTheLimitClosesWith1009WithoutReadingIt() throws Exception {
    Peer peer = openAndUpgrade();
    int tooLong = WebSocketTransport.MAX_MESSAGE_BYTES + 1;
    // Only the header: the transport must refuse on the announced length.
    peer.out.write(
        new byte[] {(byte) 0x81, 127, 0, 0, 0, 0, (byte) (tooLong >> 24), (byte) (tooLong >> 16)});
    peer.out.write(new byte[] {(byte) (tooLong >> 8), (byte) tooLong});
    assertThat(next()).isEqualTo("closed 1009 message over 4194304 bytes");
    assertThat(peer.readFrame().closeCode()).isEqualTo(1009);
  }

  @Test
  void anUpgradeThatNeverComesFailsAfterTheConnectTimeout() throws Exception {
    transport.open(conn, URI.create(target() + "?token=" + TOKEN));
    try (Socket silent = server.accept()) {
      long start = System.nanoTime();
      String event = next();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
      assertThat(event)
          .startsWith("failed cannot connect to " + target() + ": SocketTimeoutException")
          .doesNotContain(TOKEN);
    }
  }

  @Test
  void aRejectedUpgradeNamesTheStatusAndNotTheCredential() throws Exception {
    transport.open(conn, URI.create(target() + "?token=" + TOKEN));
    Peer peer = new Peer(server.accept());
    peer.readRequest();
    peer.respond("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    assertThat(next())
        .isEqualTo("failed WebSocket upgrade to " + target() + " rejected with HTTP 403");
  }

  @Test
  void aWrongAcceptFailsTheUpgrade() throws Exception {
    transport.open(conn, URI.create(target() + "?token=" + TOKEN));
    Peer peer = new Peer(server.accept());
    peer.readRequest();
    peer.respond(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + Handshake.accept("not the key")
            + "\r\n\r\n");
    assertThat(next())
        .isEqualTo(
            "failed cannot connect to "
                + target()
                + ": IOException: the upgrade response has a wrong Sec-WebSocket-Accept");
  }

  @Test
  void aPeerThatStopsReadingNeverBlocksTheCallerAndTheCloseStillCompletes() throws Exception {
    Peer peer = openAndUpgrade(); // and never reads again
    String chunk = "y".repeat(64 * 1024);
    CompletableFuture<Long> sendMillis = new CompletableFuture<>();
    events.execute(
        () -> {
          long start = System.nanoTime();
          for (int i = 0; i < 100; i++) { // 6.4 MB: far beyond what the socket buffers hold
            transport.send(conn, chunk);
          }
          transport.close(conn, 1000, "bye");
          sendMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        });
    assertThat(sendMillis.get(5, TimeUnit.SECONDS)).isLessThan(1_000);
    CompletableFuture<Void> responsive = new CompletableFuture<>();
    events.execute(() -> responsive.complete(null));
    responsive.get(1, TimeUnit.SECONDS);
    // The close frame cannot get through; the close timeout ends the socket.
    assertThat(next()).isEqualTo("closed 1000 bye");
    assertThat(conn.socketClosed).isDone();
    awaitNoThreadsOfThisConnection();
    peer.socket.close();
  }

  @Test
  void aWriteBacklogBeyondItsBoundCostsTheConnectionNotUnboundedMemory() throws Exception {
    Peer peer = openAndUpgrade(); // and never reads
    String chunk = "z".repeat(64 * 1024);
    long chunks =
        2 * WebSocketTransport.MAX_WRITE_BACKLOG_CHARS / chunk.length(); // twice the bound
    for (int i = 0; i < chunks && seen.isEmpty(); i++) {
      transport.send(conn, chunk);
    }
    assertThat(next())
        .isEqualTo(
            "closed 1006 write backlog over "
                + WebSocketTransport.MAX_WRITE_BACKLOG_CHARS
                + " characters");
    awaitNoThreadsOfThisConnection();
    peer.socket.close();
  }

  @Test
  void closeHandshakeStartedByTheClient() throws Exception {
    Peer peer = openAndUpgrade();
    transport.close(conn, 1000, "done");
    assertThat(conn.link.isOpen()).isFalse();
    Frame close = peer.readFrame();
    assertThat(close.closeCode()).isEqualTo(1000);
    assertThat(close.closeReason()).isEqualTo("done");
    peer.writeFrame(true, 0x8, new byte[] {0x03, (byte) 0xE8});
    peer.socket.close();
    assertThat(next()).isEqualTo("closed 1000 done");
    assertThat(conn.socketClosed).isDone();
    awaitNoThreadsOfThisConnection();
    assertThat(seen).isEmpty();
  }

  @Test
  void closeHandshakeStartedByTheServerIsEchoedAndReportedOnce() throws Exception {
    Peer peer = openAndUpgrade();
    byte[] kicked = "kicked".getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + kicked.length];
    payload[0] = (byte) (4001 >> 8);
    payload[1] = (byte) 4001;
    System.arraycopy(kicked, 0, payload, 2, kicked.length);
    peer.writeFrame(true, 0x8, payload);
    assertThat(next()).isEqualTo("closed 4001 kicked");
    Frame echo = peer.readFrame();
    assertThat(echo.closeCode()).isEqualTo(4001);
    transport.close(conn, 1000, "late"); // nothing more after the echo
    peer.socket.close();
    awaitNoThreadsOfThisConnection();
    assertThat(seen).isEmpty();
  }

  @Test
  void aDroppedSocketIsReportedAs1006() throws Exception {
    Peer peer = openAndUpgrade();
    peer.socket.close();
    assertThat(next()).startsWith("closed 1006 connection lost");
    awaitNoThreadsOfThisConnection();
  }

  private static void awaitNoThreadsOfThisConnection() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().endsWith("-9000-7")));
  }

  /** Length of a base64 value once decoded. */
  private static final class Base64Length {
    static int decoded(String value) {
      return java.util.Base64.getDecoder().decode(value).length;
    }
  }

  /** A client frame as the server read it (payload unmasked). */
  private record Frame(int opcode, byte[] payload, int mask) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      assertThat(opcode).isEqualTo(0x8);
      return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    String closeReason() {
      return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }
  }

  /** The server's side of one accepted socket. */
  private static final class Peer {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      socket.setSoTimeout(5_000);
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    Map<String, String> readRequest() throws IOException {
      Map<String, String> headers = new HashMap<>();
      headers.put(":request-line", readLine(in));
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
      }
      return headers;
    }

    void respond(String head) throws IOException {
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** An unmasked server frame with a payload under 126 bytes. */
    void writeFrame(boolean fin, int opcode, byte[] payload) throws IOException {
      out.write((fin ? 0x80 : 0) | opcode);
      out.write(payload.length);
      out.write(payload);
      out.flush();
    }

    Frame readFrame() throws IOException {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      assertThat(b0 & 0x80).as("FIN").isNotZero();
      assertThat(b1 & 0x80).as("client frames are masked").isNotZero();
      long length = b1 & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      int mask = in.readInt();
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= (byte) (mask >> (24 - 8 * (i & 3)));
      }
      return new Frame(b0 & 0x0F, payload, mask);
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("eof");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
