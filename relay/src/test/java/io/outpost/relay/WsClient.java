package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A recording WebSocket client for tests (JDK {@code java.net.http}): every inbound text frame
 * lands in a queue, the close code in a future. Waits always have a deadline.
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(5);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile String closeReason;
  private WebSocket socket;

  private WsClient() {}

  /**
   * Connects to {@code uri} (e.g. {@code ws://127.0.0.1:PORT/v1?token=…}); fails on a non-101
   * answer.
   */
  static WsClient connect(URI uri) {
    return connect(uri, null);
  }

  /** As {@link #connect(URI)}, sending an {@code Origin} header when not null. */
  static WsClient connect(URI uri, String origin) {
    WsClient client = new WsClient();
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
    if (origin != null) {
      builder.header("Origin", origin);
    }
    try {
      client.socket = builder.buildAsync(uri, client).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("connecting to " + uri + " failed", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        throw new HandshakeRefused(h.getResponse().statusCode());
      }
      throw new AssertionError("connecting to " + uri + " failed", e);
    }
    return client;
  }

  /** The upgrade was answered with an HTTP status other than 101. */
  static final class HandshakeRefused extends RuntimeException {
    final int status;

    HandshakeRefused(int status) {
      super("handshake refused with HTTP " + status);
      this.status = status;
    }
  }

  /** The HTTP status a refused upgrade got (fails when the upgrade succeeds). */
  static int refusedStatus(URI uri, String origin) {
    try {
      WsClient c = connect(uri, origin);
      c.abort();
      throw new AssertionError("expected the upgrade to be refused");
    } catch (HandshakeRefused e) {
      return e.status;
    }
  }

  /** Connects and returns the {@code welcome} frame's client. */
  static WsClient connectWelcomed(URI uri) {
    WsClient c = connect(uri);
    JsonObject welcome = c.next();
    assertThat(welcome.get("type").getAsString())
        .as("first frame %s", welcome)
        .isEqualTo("welcome");
    c.welcome = welcome;
    return c;
  }

  JsonObject welcome;

  String peerId() {
    return welcome.get("peerId").getAsString();
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  void send(JsonObject frame) {
    send(frame.toString());
  }

  void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  /** The next inbound frame, parsed; fails after {@link #WAIT}. */
  JsonObject next() {
    String text = nextRaw();
    return JsonParser.parseString(text).getAsJsonObject();
  }

  String nextRaw() {
    try {
      String text = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (text == null) {
        throw new AssertionError(
            "no frame within "
                + WAIT
                + (closeCode.isDone() ? " (closed with " + closeCode.getNow(null) + ")" : ""));
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame, which must have this {@code type}. */
  JsonObject next(String type) {
    JsonObject f = next();
    assertThat(f.get("type").getAsString()).as("frame %s", f).isEqualTo(type);
    return f;
  }

  /** Asserts that no frame arrives within {@code quiet}. */
  void assertNoFrame(Duration quiet) {
    try {
      String text = frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(text).as("unexpected frame").isNull();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Frames received so far and not yet taken. */
  int pending() {
    return frames.size();
  }

  /** Waits for the server's close and returns its code. */
  int awaitClose() {
    return awaitClose(WAIT);
  }

  int awaitClose(Duration wait) {
    try {
      return closeCode.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("socket not closed within " + wait, e);
    }
  }

  boolean isClosed() {
    return closeCode.isDone();
  }

  String closeReason() {
    return closeReason;
  }

  /** Sends an RFC 6455 ping. */
  void ping() {
    socket.sendPing(ByteBuffer.allocate(0)).join();
  }

  void abort() {
    socket.abort();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeReason = reason;
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.complete(1006);
  }

  @Override
  public void close() {
    if (socket != null && !closeCode.isDone()) {
      socket.abort();
    }
  }
}
