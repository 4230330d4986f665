package io.outpost.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.outbox.Outbox;
import io.outpost.realtime.ReplayEnvelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uplink against a real outbox (SQLite in a temporary directory) and a link that records what
 * would go on the wire: the backlog of an outage leaves packed into replay envelopes within the
 * server's {@code maxMessageSize}, everything else as it is.
 */
@Timeout(30)
class UplinkTest {
  private static final String EVENTS = "devices/pi-1/events";
  private static final int MAX_MESSAGE_SIZE = 4096;

  @TempDir Path dir;
  private Outbox outbox;
  private final FakeLink link = new FakeLink();
  private Uplink uplink;

  @BeforeEach
  void open() throws Exception {
    outbox =
        Outbox.open(
            dir,
            "pi-1",
            new AgentConfig.Buffer(
                true, 64_000_000, Duration.ofDays(7), Duration.ofMillis(5), "dropOldest", "keep"),
            Clock.systemUTC());
    uplink = new Uplink(outbox, link, Clock.systemUTC(), 16, "pi-1");
  }

  @AfterEach
  void close() {
    uplink.close();
    outbox.close();
  }

  private static JsonObject telemetry(int n, int padding) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "telemetry");
    o.add("records", new com.google.gson.JsonArray());
    o.getAsJsonArray("records").add(record(n));
    o.addProperty("pad", "x".repeat(padding));
    return o;
  }

  private static JsonObject record(int n) {
    JsonObject r = new JsonObject();
    r.addProperty("n", "ctr/count");
    r.addProperty("v", n);
    return r;
  }

  /** Appends {@code n} telemetry messages while offline and waits until they are stored. */
  private void backlog(int n, int padding) {
    long before = outbox.committedRid();
    for (int i = 0; i < n; i++) {
      outbox.appendTelemetry(telemetry(i, padding));
    }
    await().until(() -> outbox.committedRid() >= before + n);
  }

  private void connectAndDrain() {
    uplink.start();
    uplink.connected(MAX_MESSAGE_SIZE);
    await().until(() -> outbox.pendingMessages() == 0);
  }

  /** What a consumer of the events channel gets after unpacking, in arrival order. */
  private List<JsonObject> delivered() {
    List<JsonObject> out = new ArrayList<>();
    for (FakeLink.Sent s : link.sent()) {
      if (EVENTS.equals(s.channel())) {
        ReplayEnvelope.unpack(s.data()).forEach(e -> out.add(e.getAsJsonObject()));
      }
    }
    return out;
  }

  private static List<Long> seqs(List<JsonObject> messages) {
    return messages.stream().filter(m -> m.has("seq")).map(m -> m.get("seq").getAsLong()).toList();
  }

  /** The publish frame the realtime client would write, with the longest request id allowed. */
  private static int frameBytes(FakeLink.Sent s) {
    String frame =
        "{\"type\":\"publish\",\"channel\":"
            + new JsonPrimitive(s.channel())
            + ",\"data\":"
            + s.json()
            + ",\"requestId\":\""
            + "r".repeat(128)
            + "\"}";
    return io.outpost.realtime.internal.FrameCodec.utf8Length(frame);
  }

  @Test
  void aBacklogLeavesInEnvelopesFilledUpToTheServersLimitAndEveryRowIsDeletedOnItsAck() {
    backlog(600, 100);

    connectAndDrain();

    List<FakeLink.Sent> sent = link.sent();
    assertThat(sent).allSatisfy(s -> assertThat(s.replay()).isTrue());
    assertThat(sent).allSatisfy(s -> assertThat(frameBytes(s)).isLessThanOrEqualTo(4096));
    // Full: no envelope but the last had room for the first message of the next one (the uplink
    // keeps room for the channel and 256 bytes; this frame has 202 besides the channel).
    for (int i = 0; i + 1 < sent.size(); i++) {
      int next = ReplayEnvelope.unpack(sent.get(i + 1).data()).get(0).toString().length();
      assertThat(frameBytes(sent.get(i)) + 1 + next).isGreaterThan(4096 - (256 + 22 - 202));
    }
    List<JsonObject> messages = delivered();
    assertThat(seqs(messages)).hasSize(600).isSorted().doesNotHaveDuplicates();
    assertThat(messages.get(0).get("id").getAsString()).endsWith(":" + seqs(messages).get(0));
    JsonObject envelope = sent.get(0).data().getAsJsonObject();
    assertThat(envelope.get("device").getAsString()).isEqualTo("pi-1");
    assertThat(envelope.get("stream").getAsString()).isEqualTo(outbox.stream());
    assertThat(uplink.stats()).containsEntry("acked", 600L).containsEntry("replaying", false);
    assertThat(uplink.replaysAcked()).isEqualTo(sent.size());
  }

  @Test
  void storedMessagesAreSplicedUnchanged() {
    backlog(3, 10);
    List<String> stored = outbox.read(0, Long.MAX_VALUE, 10).stream().map(r -> r.body()).toList();

    connectAndDrain();

    assertThat(link.sent()).hasSize(1);
    assertThat(link.sent().get(0).json())
        .endsWith(",\"messages\":[" + String.join(",", stored) + "]}");
  }

  @Test
  void liveMessagesDirectMessagesAndOtherChannelsStayAsTheyAre() {
    outbox.appendTelemetry(telemetry(1, 10));
    outbox.appendTelemetry(telemetry(2, 10));
    outbox.appendTo("sites/s1/alarms", telemetry(3, 10));
    outbox.appendTelemetry(telemetry(4, 10));
    outbox.appendDirect("ops-1", telemetry(5, 10));
    outbox.appendTelemetry(telemetry(6, 10));
    outbox.appendTelemetry(telemetry(7, 10));
    await().until(() -> outbox.committedRid() >= 7);
    uplink.start();
    uplink.connected(MAX_MESSAGE_SIZE);
    await().until(() -> outbox.pendingMessages() == 0);
    outbox.appendTelemetry(telemetry(8, 10));
    await().until(() -> delivered().size() == 6);

    List<FakeLink.Sent> sent = link.sent();
    // Storage order; each run of events-channel rows between the others is one envelope, and a
    // run of one is sent as it is.
    assertThat(sent)
        .extracting(s -> s.replay() ? "replay" : s.to() != null ? "to " + s.to() : s.channel())
        .containsExactly("replay", "sites/s1/alarms", EVENTS, "to ops-1", "replay", EVENTS);
    assertThat(sent.get(1).json()).doesNotContain("\"seq\"").contains("\"v\":3");
    assertThat(sent.get(2).data().getAsJsonObject().get("type").getAsString())
        .isEqualTo("telemetry");
    assertThat(sent.get(5).data().getAsJsonObject().get("type").getAsString())
        .as("live telemetry is published as it is")
        .isEqualTo("telemetry");
    assertThat(seqs(delivered())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void aMessageTooLargeForAnEnvelopeGoesAloneBetweenEnvelopes() {
    backlog(40, 100);
    outbox.appendTelemetry(telemetry(999, 5000));
    backlog(40, 100);

    connectAndDrain();

    List<FakeLink.Sent> sent = link.sent();
    List<FakeLink.Sent> alone = sent.stream().filter(s -> !s.replay()).toList();
    assertThat(alone).hasSize(1);
    assertThat(alone.get(0).json()).contains("\"v\":999");
    assertThat(seqs(delivered())).hasSize(81).isSorted();
  }

  @Test
  void aFailedEnvelopeIsRetriedWholeUntilAcked() {
    backlog(200, 100);
    AtomicInteger failures = new AtomicInteger();
    link.answer =
        s ->
            s.replay() && failures.getAndIncrement() < 2
                ? new IllegalStateException("ack timeout")
                : null;

    connectAndDrain();

    List<FakeLink.Sent> sent = link.sent();
    JsonElement first = sent.get(0).data();
    assertThat(sent.stream().filter(s -> s.data().equals(first)).count())
        .as("the same envelope, sent three times")
        .isEqualTo(3);
    assertThat(new HashSet<>(seqs(delivered()))).hasSize(200);
    assertThat(uplink.stats().get("retried"))
        .isEqualTo(2L * first.getAsJsonObject().getAsJsonArray("messages").size());
  }

  @Test
  void anEnvelopeTheServerRefusesIsSentAgainRowByRowAndNothingIsDropped() {
    backlog(100, 100);
    AtomicInteger refusals = new AtomicInteger();
    link.answer =
        s ->
            s.replay() && refusals.getAndIncrement() == 0
                ? new FakeLink.Refused("malformed_message")
                : null;

    connectAndDrain();

    List<FakeLink.Sent> sent = link.sent();
    int refusedRows = sent.get(0).data().getAsJsonObject().getAsJsonArray("messages").size();
    assertThat(sent.subList(1, 1 + refusedRows)).noneMatch(FakeLink.Sent::replay);
    assertThat(sent.get(1 + refusedRows).replay()).as("later rows are packed again").isTrue();
    assertThat(new HashSet<>(seqs(delivered()))).hasSize(100);
    assertThat(uplink.stats()).containsEntry("discarded", 0L);
  }

  @Test
  void fewEnvelopesWaitForAnAckSoLiveMessagesDoNotQueueBehindMany() {
    backlog(600, 100);
    link.hold = true;
    uplink.start();
    uplink.connected(MAX_MESSAGE_SIZE);
    await().until(() -> link.sent().size() == 4);
    outbox.appendTelemetry(telemetry(1000, 10));

    await().until(() -> link.sent().size() == 5);
    assertThat(link.sent().subList(0, 4)).allMatch(FakeLink.Sent::replay);
    assertThat(link.sent().get(4).json()).as("live, while four envelopes wait").contains("1000");
    link.release();
    await().until(() -> outbox.pendingMessages() == 0);
    assertThat(new HashSet<>(seqs(delivered()))).hasSize(601);
  }

  @Test
  void withoutAMessageSizeEveryRowGoesAlone() {
    backlog(20, 10);
    uplink.start();
    uplink.connected(0);
    await().until(() -> outbox.pendingMessages() == 0);

    assertThat(link.sent()).hasSize(20).noneMatch(FakeLink.Sent::replay);
  }

  @Test
  void anIdleUplinkDoesNotWakeUp() throws Exception {
    Set<String> before = uplinkThreads().keySet();
    uplink.start();
    uplink.connected(MAX_MESSAGE_SIZE);
    outbox.appendTelemetry(telemetry(1, 10));
    await().until(() -> outbox.pendingMessages() == 0);
    Map<String, Long> started = uplinkThreads();
    started.keySet().removeAll(before);
    assertThat(started).as("this uplink's thread").hasSize(1);
    String tid = started.keySet().iterator().next();

    Thread.sleep(2500);

    // Before, a one-second poll woke it up twice in this time.
    assertThat(uplinkThreads().get(tid) - started.get(tid)).isLessThanOrEqualTo(1);
  }

  @Test
  void liveMessagesOnAHealthyLinkLeaveOnTheAppendingThreadWithoutWakingTheUplink()
      throws Exception {
    // An outbox that keeps rows in memory until their ack (buffer.writeDelay), as on a device.
    uplink.close();
    outbox.close();
    outbox =
        Outbox.open(
            dir.resolve("deferring"),
            "pi-1",
            new AgentConfig.Buffer(
                true,
                64_000_000,
                Duration.ofDays(7),
                Duration.ofMillis(5),
                "dropOldest",
                "keep",
                Duration.ofHours(1)),
            Clock.systemUTC());
    uplink = new Uplink(outbox, link, Clock.systemUTC(), 16, "pi-1");
    Set<String> before = uplinkThreads().keySet();
    uplink.start();
    uplink.connected(MAX_MESSAGE_SIZE);
    Thread.sleep(300); // the uplink's thread finds nothing to send and waits
    Map<String, Long> started = uplinkThreads();
    started.keySet().removeAll(before);
    String tid = started.keySet().iterator().next();

    for (int i = 1; i <= 5; i++) {
      outbox.appendTelemetry(telemetry(i, 10));
      int sent = i;
      await().until(() -> link.sent().size() == sent);
    }

    // Before, the uplink's thread woke once per message to send it.
    assertThat(uplinkThreads().get(tid) - started.get(tid)).isLessThanOrEqualTo(1);
    assertThat(seqs(delivered())).containsExactly(1L, 2L, 3L, 4L, 5L);
    await().until(() -> outbox.pendingMessages() == 0); // each acked and gone
  }

  /** Native thread id → voluntary context switches, for every thread named {@code uplink}. */
  private static Map<String, Long> uplinkThreads() throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          if (!Files.readString(t.resolve("comm")).trim().equals("uplink")) {
            continue;
          }
          for (String line : Files.readAllLines(t.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              out.put(t.getFileName().toString(), Long.parseLong(line.substring(24).trim()));
            }
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return out;
  }
}
