package io.outpost.bench.relay;

import io.outpost.testsupport.StrictWsClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of the relay benchmark, run in a JVM of its own next to {@link RelayBenchServer}.
 *
 * <pre>
 * RelayBenchClient PORT idle N            open N idle WebSockets (publishable key), hold them until killed
 * RelayBenchClient PORT fanout SUBS SECS  SUBS subscribers on one channel, one publisher, deliveries per second
 * RelayBenchClient PORT latency COUNT     publish-to-deliver latency at 1,000 messages/s, p50/p99/max
 * </pre>
 */
public final class RelayBenchClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Pattern SENT_AT = Pattern.compile("\"t\":(\\d+)");

  private RelayBenchClient() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: RelayBenchClient PORT idle N | fanout SUBS SECS | latency COUNT");
      System.exit(2);
    }
    String origin = "ws://127.0.0.1:" + Integer.parseInt(args[0]);
    switch (args[1]) {
      case "idle" -> idle(origin, Integer.parseInt(args[2]));
      case "fanout" -> fanout(origin, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "latency" -> latency(origin, Integer.parseInt(args[2]));
      default -> {
        System.err.println("unknown mode " + args[1]);
        System.exit(2);
      }
    }
    System.exit(0);
  }

  /** Counts inbound text frames; optionally hands each to a consumer. */
  private static class Counter implements WebSocket.Listener {
    final AtomicLong frames = new AtomicLong();
    final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      if (!last) {
        partial.append(data);
        return null;
      }
      CharSequence text = data;
      if (partial.length() > 0) {
        text = partial.append(data).toString();
        partial.setLength(0);
      }
      if (!welcomed.isDone()) {
        welcomed.complete(null);
      } else {
        frames.incrementAndGet();
        onFrame(text);
      }
      return null;
    }

    void onFrame(CharSequence text) {}

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      System.err.println("closed by relay: " + statusCode + " " + reason);
      return null;
    }
  }

  private static WebSocket open(String uri, WebSocket.Listener listener) {
    return HTTP.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(30))
        .buildAsync(URI.create(uri), listener)
        .join();
  }

  private static String tokenUri(String origin, String peerId) throws Exception {
    HttpRequest mint =
        HttpRequest.newBuilder(URI.create(origin.replace("ws:", "http:") + "/v1/tokens"))
            .header("Authorization", "Bearer " + BenchKeys.SECRET_ID + ":" + BenchKeys.SECRET)
            .POST(HttpRequest.BodyPublishers.ofString("{\"peerId\": \"" + peerId + "\"}"))
            .build();
    String body = HTTP.send(mint, HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(body);
    if (!m.find()) {
      throw new IllegalStateException("minting a token failed: " + body);
    }
    return origin + "/v1?token=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
  }

  /** Opens {@code n} idle connections, 200 handshakes in flight at most, then holds them. */
  private static void idle(String origin, int n) throws Exception {
    String uri = origin + "/v1?key=" + BenchKeys.PUBLISHABLE;
    Semaphore inFlight = new Semaphore(200);
    List<WebSocket> sockets = new ArrayList<>(n);
    AtomicInteger failed = new AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<Throwable> firstFailure =
        new java.util.concurrent.atomic.AtomicReference<>();
    CountDownLatch done = new CountDownLatch(n);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      Counter c = new Counter();
      HTTP.newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(60))
          .buildAsync(URI.create(uri), c)
          .thenCompose(ws -> c.welcomed.thenApply(v -> ws))
          .whenComplete(
              (ws, err) -> {
                if (err != null) {
                  failed.incrementAndGet();
                  firstFailure.compareAndSet(null, err);
                } else {
                  synchronized (sockets) {
                    sockets.add(ws);
                  }
                }
                inFlight.release();
                done.countDown();
              });
    }
    done.await();
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("CONNECTED %d (failed %d) in %.1f s%n", sockets.size(), failed.get(), secs);
    if (firstFailure.get() != null) {
      System.out.println("first failure: " + firstFailure.get());
    }
    // Keep the JDK's idle-connection machinery from closing them; the relay pings, the JDK answers.
    Thread.sleep(Long.MAX_VALUE);
  }

  /**
   * SUBS subscribers on "fan", one publisher; reports deliveries per second over SECS after a
   * warm-up.
   */
  private static void fanout(String origin, int subscribers, int seconds) throws Exception {
    int port = URI.create(origin).getPort();
    AtomicLong delivered = new AtomicLong();
    AtomicLong malformed = new AtomicLong();
    byte[] expected =
        ("{\"type\":\"message\",\"channel\":\"fan\",\"from\":\"publisher\","
                + "\"data\":{\"v\":\"0123456789abcdef\"}}")
            .getBytes(StandardCharsets.UTF_8);
    List<StrictWsClient> sockets = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      StrictWsClient ws =
          StrictWsClient.connect(URI.create(tokenUri(origin, "sub-" + i)), 0).readTimeout(0);
      ws.readData(); // welcome
      ws.sendText("{\"type\":\"subscribe\",\"channel\":\"fan\",\"requestId\":\"s\"}");
      ws.readData(); // ack
      sockets.add(ws);
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (byte[] f; (f = ws.readData()) != null; ) {
                    // one byte tells message frames apart from presence frames: {"type":"m…
                    if (f.length > 9 && f[9] == 'm') {
                      delivered.incrementAndGet();
                      // A cheap integrity check on every delivery: the exact message frame the
                      // relay must produce.
                      if (!Arrays.equals(f, expected)) {
                        malformed.incrementAndGet();
                      }
                    }
                  }
                } catch (IOException ignored) {
                  // closed at the end of the run
                }
              },
              "sub-" + i);
      reader.setDaemon(true);
      reader.start();
    }
    StrictWsClient publisher =
        StrictWsClient.connect(URI.create(tokenUri(origin, "publisher")), 0).readTimeout(0);
    publisher.readData();
    Thread.sleep(1000);
    // Frames are written in batches of 50 to keep the generator cheap; the relay still parses each
    // one.
    int batch = 50;
    byte[] one =
        StrictWsClient.textFrame(
            "{\"type\":\"publish\",\"channel\":\"fan\",\"data\":{\"v\":\"0123456789abcdef\"}}");
    byte[] frames = new byte[one.length * batch];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(one, 0, frames, i * one.length, one.length);
    }
    // Bounded backlog: at most `window` deliveries queued in the relay at any time.
    long window = 400L * subscribers;
    long start = System.nanoTime();
    long warmupEnd = start + TimeUnit.SECONDS.toNanos(3);
    long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
    long sent = 0;
    long sentAtStart = -1;
    long deliveredAtStart = 0;
    long measureStart = 0;
    while (true) {
      long now = System.nanoTime();
      if (sentAtStart < 0 && now >= warmupEnd) {
        sentAtStart = sent;
        deliveredAtStart = delivered.get();
        measureStart = now;
      }
      if (now >= end) {
        break;
      }
      if ((sent + batch) * subscribers - delivered.get() > window) {
        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        continue;
      }
      publisher.write(frames);
      sent += batch;
    }
    long elapsed = System.nanoTime() - measureStart;
    long got = delivered.get() - deliveredAtStart;
    System.out.printf(
        "FANOUT subscribers=%d published=%d delivered=%d in %.1f s: %.0f deliveries/s, %.0f publishes/s"
            + " (whole run incl. warm-up: %d deliveries)%n",
        subscribers,
        sent - sentAtStart,
        got,
        elapsed / 1e9,
        got / (elapsed / 1e9),
        (sent - sentAtStart) / (elapsed / 1e9),
        delivered.get());
    System.out.printf(
        "message frames not byte-identical to the expected one: %d%n", malformed.get());
    publisher.close();
    for (StrictWsClient ws : sockets) {
      ws.close();
    }
  }

  /** Publish-to-deliver latency at a steady 1,000 messages/s; both ends use this JVM's nanoTime. */
  private static void latency(String origin, int count) throws Exception {
    int port = URI.create(origin).getPort();
    long[] latencies = new long[count];
    AtomicInteger received = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(count);
    StrictWsClient sub =
        StrictWsClient.connect(URI.create(tokenUri(origin, "lat-sub")), 0).readTimeout(0);
    sub.readData();
    sub.sendText("{\"type\":\"subscribe\",\"channel\":\"lat\",\"requestId\":\"s\"}");
    sub.readData();
    Thread reader =
        new Thread(
            () -> {
              try {
                for (byte[] f; (f = sub.readData()) != null; ) {
                  long arrived = System.nanoTime();
                  Matcher m = SENT_AT.matcher(new String(f, StandardCharsets.UTF_8));
                  if (m.find()) {
                    int i = received.getAndIncrement();
                    if (i < count) {
                      latencies[i] = arrived - Long.parseLong(m.group(1));
                      all.countDown();
                    }
                  }
                }
              } catch (IOException ignored) {
                // closed at the end
              }
            },
            "lat-sub");
    reader.setDaemon(true);
    reader.start();
    StrictWsClient publisher =
        StrictWsClient.connect(URI.create(tokenUri(origin, "lat-pub")), 0).readTimeout(0);
    publisher.readData();
    Thread.sleep(500);
    // warm-up (not measured): 5,000 messages at the same pace
    long period = TimeUnit.MILLISECONDS.toNanos(1);
    long next = System.nanoTime();
    for (int i = 0; i < 5000; i++) {
      next += period;
      java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
      publisher.sendText("{\"type\":\"publish\",\"channel\":\"lat\",\"data\":{\"w\":" + i + "}}");
    }
    for (int i = 0; i < count; i++) {
      next += period;
      java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
      publisher.sendText(
          "{\"type\":\"publish\",\"channel\":\"lat\",\"data\":{\"t\":" + System.nanoTime() + "}}");
    }
    if (!all.await(30, TimeUnit.SECONDS)) {
      System.out.printf("LATENCY only %d of %d messages arrived%n", received.get(), count);
      return;
    }
    Arrays.sort(latencies);
    System.out.printf(
        "LATENCY n=%d at 1000 msg/s: p50=%.3f ms p99=%.3f ms p99.9=%.3f ms max=%.3f ms%n",
        count,
        latencies[count / 2] / 1e6,
        latencies[(int) (count * 0.99)] / 1e6,
        latencies[(int) (count * 0.999)] / 1e6,
        latencies[count - 1] / 1e6);
    publisher.close();
    sub.close();
  }
}
