package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.testsupport.StrictWsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outgoing path under load: frames are encoded once per publish and written to each socket in
 * batches, next to the pings, pongs and close frames Tyrus writes on the same sockets. These tests
 * check what that must not change: per-connection order, whole and well-formed frames (checked byte
 * by byte with {@link StrictWsClient} and by the JDK's WebSocket client), every length encoding,
 * and a bounded backlog for a subscriber that stops reading.
 */
@Timeout(60)
class FanOutTest extends RelayTestSupport {

  /**
   * Subscribers here get no presence frames (no {@code presence} permission): only messages are
   * counted.
   */
  private static TokenRequest quiet(String peerId) {
    return TokenRequest.builder(peerId).permissions("subscribe", "publish").build();
  }

  private WsClient quietSubscriber(String peerId, String channel) {
    WsClient c = connect(quiet(peerId));
    c.send(frame("subscribe", "channel", channel, "requestId", "s"));
    c.next("ack");
    return c;
  }

  private StrictWsClient strict(String peerId, int receiveBuffer) throws IOException {
    StrictWsClient c =
        StrictWsClient.connect(tokenUri(relay.mintToken(quiet(peerId))), receiveBuffer);
    closeLater(c);
    assertThat(json(c.nextText()).get("type").getAsString()).isEqualTo("welcome");
    return c;
  }

  private static void subscribe(StrictWsClient c, String channel) throws IOException {
    c.sendText(frame("subscribe", "channel", channel, "requestId", "s").toString());
    assertThat(json(c.nextText()).get("type").getAsString()).isEqualTo("ack");
  }

  @Test
  void concurrentPublishersKeepTheirOrderAtEverySubscriber() throws Exception {
    startRelay(b -> b.rateLimit(1_000_000, 1_000_000));
    int publishers = 4;
    int perPublisher = 400;
    List<WsClient> jdkSubscribers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WsClient s = quietSubscriber("jdk-sub-" + i, "order");
      jdkSubscribers.add(s);
    }
    StrictWsClient strictSubscriber = strict("strict-sub", 0);
    subscribe(strictSubscriber, "order");
    List<WsClient> pubs = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      pubs.add(connect("pub-" + p));
    }

    ExecutorService pool = Executors.newFixedThreadPool(publishers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        WsClient pub = pubs.get(p);
        int publisher = p;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int n = 0; n < perPublisher; n++) {
                    JsonObject data = new JsonObject();
                    data.addProperty("p", publisher);
                    data.addProperty("n", n);
                    pub.send(frame("publish", "channel", "order", "data", data));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    for (WsClient s : jdkSubscribers) {
      int[] next = new int[publishers];
      for (int i = 0; i < publishers * perPublisher; i++) {
        JsonObject data = s.next("message").getAsJsonObject("data");
        int p = data.get("p").getAsInt();
        assertThat(data.get("n").getAsInt())
            .as("message %d from publisher %d", i, p)
            .isEqualTo(next[p]);
        next[p]++;
      }
      s.assertNoFrame(Duration.ofMillis(100));
    }
    int[] next = new int[publishers];
    for (int i = 0; i < publishers * perPublisher; i++) {
      JsonObject data = json(strictSubscriber.nextText()).getAsJsonObject("data");
      int p = data.get("p").getAsInt();
      assertThat(data.get("n").getAsInt())
          .as("message %d from publisher %d", i, p)
          .isEqualTo(next[p]);
      next[p]++;
    }
  }

  @Test
  void framesOfEverySizeClassArriveExactlyIncludingNear64KbMessages() throws Exception {
    startRelay(b -> b.rateLimit(1_000_000, 1_000_000));
    WsClient jdk = quietSubscriber("jdk", "sizes");
    StrictWsClient raw = strict("raw", 0);
    subscribe(raw, "sizes");
    WsClient publisher = connect("big-publisher");

    // Outgoing payload sizes on both sides of the 7-bit (125), 16-bit (65535) length boundaries.
    // The biggest
    // publish still fits maxMessageSize (65536) inbound, while the message frame sent out (with
    // "from") does not
    // fit 16 bits and needs the 64-bit length form.
    String envelope = frame("publish", "channel", "sizes", "data", "", "requestId", "r").toString();
    int largest = RelaySettings.DEFAULT_MAX_MESSAGE_SIZE - envelope.length();
    List<String> texts = new ArrayList<>();
    for (int n : new int[] {0, 1, 40, 64, 65, 200, 1000, 60_000, 65_400, largest}) {
      texts.add("x".repeat(n));
    }
    // Multi-byte UTF-8: the length must count bytes, not characters (2, 3 and 4 bytes per character
    // here).
    texts.add("é€😀".repeat(5_000));
    for (String t : texts) {
      publisher.send(frame("publish", "channel", "sizes", "data", t, "requestId", "r"));
      publisher.next("ack");
    }

    int sawLong = 0;
    for (String t : texts) {
      assertThat(jdk.next("message").get("data").getAsString()).isEqualTo(t);
      String text = raw.nextText();
      JsonObject m = json(text);
      assertThat(m.get("data").getAsString()).isEqualTo(t);
      if (text.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
        sawLong++;
      }
    }
    assertThat(sawLong).as("frames needing the 64-bit length").isEqualTo(1);
  }

  @Test
  void aSubscriberThatStopsReadingIsCutOffWith1008WhileOthersGetEverything() throws Exception {
    long limit = 1 << 20;
    startRelay(b -> b.rateLimit(1_000_000, 1_000_000).outboundLimit(limit));
    WsClient fast = quietSubscriber("fast", "flood");
    // A tiny receive window, so the kernel buffers little of what the relay sends before the relay
    // has to queue.
    StrictWsClient slow = strict("slow", 16 * 1024);
    subscribe(slow, "flood");
    WsClient publisher = connect("flooder");

    String filler = "y".repeat(60_000);
    int total = 120; // 7 MB: more than the limit plus what the kernel buffers on loopback, and
    // published well within the 5 s grace even on a loaded machine
    for (int n = 0; n < total; n++) {
      JsonObject data = new JsonObject();
      data.addProperty("n", n);
      data.addProperty("filler", filler);
      publisher.send(frame("publish", "channel", "flood", "data", data, "requestId", "r" + n));
      publisher.next("ack");
      // The fast subscriber keeps up (paced by reading it), so only the slow one builds a backlog.
      assertThat(fast.next("message").getAsJsonObject("data").get("n").getAsInt()).isEqualTo(n);
    }

    // The ack of the last publish came after every offer to the slow socket, so the overflow has
    // happened; read
    // now, within the grace period, and get an unbroken prefix of the messages and then the 1008
    // close frame.
    UntilClose tail = readInOrderUntilClose(slow, 0);
    int received = tail.received();
    StrictWsClient.Frame close = tail.close();
    assertThat(received).as("messages that reached the slow subscriber").isLessThan(total);
    assertThat(close).as("close frame").isNotNull();
    assertThat(close.closeCode()).isEqualTo(1008);
    await().atMost(Duration.ofSeconds(20)).until(() -> !relay.connectedPeers().contains("slow"));
    assertThat(relay.connectedPeers()).contains("fast", "flooder");
  }

  @Test
  void aSubscriberThatNeverReadsAgainIsDropped() throws Exception {
    startRelay(b -> b.rateLimit(1_000_000, 1_000_000).outboundLimit(1 << 18));
    StrictWsClient stuck = strict("stuck", 16 * 1024);
    subscribe(stuck, "flood");
    WsClient publisher = connect("flooder");
    String filler = "z".repeat(60_000);
    for (int n = 0; n < 200; n++) {
      publisher.send(frame("publish", "channel", "flood", "data", filler, "requestId", "r" + n));
      publisher.next("ack");
    }
    // The relay forgets the peer at once (Tyrus reports the close when it sends the close frame)
    // ...
    await().atMost(Duration.ofSeconds(20)).until(() -> !relay.connectedPeers().contains("stuck"));
    // ... and, as the peer reads nothing, not even the close frame, drops the socket after a grace
    // period (5 s),
    // discarding what was still queued. Nothing on the client side signals that moment, so wait
    // past it.
    long overflowed = System.nanoTime();
    await().pollDelay(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8)).until(() -> true);
    // Reading now finds whole frames from the kernel buffers, then the end of the stream (possibly
    // inside a frame),
    // without the client ever answering a close. Normally there is no close frame either: it was
    // still queued in the
    // relay when the socket was dropped. (On a very busy machine the backlog can pass the limit
    // before the socket's
    // buffers are full; then the close frame fits into them and Tyrus closes the socket after it.)
    boolean sawClose = false;
    try {
      for (StrictWsClient.Frame f; (f = stuck.read()) != null; ) {
        assertThat(sawClose).as("a frame after the close frame").isFalse();
        assertThat(f.opcode()).isIn(StrictWsClient.TEXT, StrictWsClient.PING, StrictWsClient.CLOSE);
        if (f.opcode() == StrictWsClient.CLOSE) {
          assertThat(f.closeCode()).isEqualTo(1008);
          sawClose = true;
        }
      }
    } catch (StrictWsClient.Truncated | java.net.SocketException dropped) {
      // an aborted connection may end inside a frame or with a reset
    }
    System.out.printf(
        "stuck subscriber's stream ended %.1f s after the overflow (close frame seen: %s)%n",
        (System.nanoTime() - overflowed) / 1e9, sawClose);
  }

  @Test
  void pingsPongsAndACloseInterleaveCleanlyWithAFlood() throws Exception {
    startRelay(b -> b.rateLimit(1_000_000, 1_000_000).pingInterval(Duration.ofMillis(20)));
    StrictWsClient sub = strict("sub", 0);
    subscribe(sub, "mix");
    WsClient publisher = connect("mixer");
    int total = 3000;
    AtomicInteger acked = new AtomicInteger();
    Thread flood =
        new Thread(
            () -> {
              String filler = "w".repeat(500);
              for (int n = 0; n < total; n++) {
                JsonObject data = new JsonObject();
                data.addProperty("n", n);
                data.addProperty("f", filler);
                try {
                  publisher.send(frame("publish", "channel", "mix", "data", data));
                } catch (RuntimeException closed) {
                  return;
                }
                acked.incrementAndGet();
              }
            },
            "flood");
    flood.start();

    // Pings from the client with numbered payloads while the flood runs; the relay's own pings come
    // every 20 ms.
    int received = 0;
    int pingsSent = 0;
    int pongsSeen = 0;
    int serverPings = 0;
    while (received < total / 2) {
      if (pingsSent - pongsSeen < 3) {
        sub.sendPing(("p" + pingsSent++).getBytes(StandardCharsets.US_ASCII));
      }
      StrictWsClient.Frame f = sub.read();
      assertThat(f).isNotNull();
      switch (f.opcode()) {
        case StrictWsClient.TEXT -> {
          assertThat(json(f.text()).getAsJsonObject("data").get("n").getAsInt())
              .isEqualTo(received);
          received++;
        }
        case StrictWsClient.PONG -> {
          assertThat(new String(f.payload(), StandardCharsets.US_ASCII)).isEqualTo("p" + pongsSeen);
          pongsSeen++;
        }
        case StrictWsClient.PING -> serverPings++;
        default ->
            throw new AssertionError(
                "unexpected opcode " + f.opcode() + " after " + received + " messages");
      }
    }
    assertThat(pongsSeen).isPositive();

    // A kick in mid-flood: everything before the close frame is whole and in order, nothing follows
    // it.
    assertThat(relay.kick("sub")).isEqualTo(1);
    UntilClose tail = readInOrderUntilClose(sub, received);
    received = tail.received();
    StrictWsClient.Frame close = tail.close();
    assertThat(close).as("close frame after %d messages", received).isNotNull();
    assertThat(close.closeCode()).isEqualTo(4020);
    StrictWsClient.Frame after = null;
    try {
      sub.sendClose(4020);
      after = sub.read();
    } catch (java.net.SocketException reset) {
      // the relay may close the TCP connection right after its close frame
    }
    assertThat(after).as("frame after the close frame").isNull();
    flood.join(20_000);
    System.out.printf(
        "mixed flood: %d messages before the kick, %d pongs, %d relay pings%n",
        received, pongsSeen, serverPings);
  }

  @Test
  void outboundLimitMustHoldTwoLargestMessages() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RelaySettings.builder().outboundLimit(100_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "outboundLimit must be >= 2 * maxMessageSize (131072 bytes), got 100000");
    assertThat(RelaySettings.builder().build().outboundLimit()).isEqualTo(1 << 20);
    assertThat(RelaySettings.builder().maxMessageSize(1 << 20).build().outboundLimit())
        .isEqualTo(16L << 20);
  }

  /**
   * How many in-order messages arrived before the close frame, and that frame (null if the stream
   * just ended).
   */
  private record UntilClose(int received, StrictWsClient.Frame close) {}

  /**
   * Reads frames until the close frame, asserting that every text frame is message number {@code
   * next}, {@code next + 1}, … (control frames in between are skipped).
   */
  private static UntilClose readInOrderUntilClose(StrictWsClient client, int next)
      throws Exception {
    for (StrictWsClient.Frame f; (f = client.read()) != null; ) {
      if (f.opcode() == StrictWsClient.CLOSE) {
        return new UntilClose(next, f);
      }
      if (f.opcode() == StrictWsClient.TEXT) {
        assertThat(json(f.text()).getAsJsonObject("data").get("n").getAsInt()).isEqualTo(next);
        next++;
      }
    }
    return new UntilClose(next, null);
  }
}
