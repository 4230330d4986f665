package io.outpost.agent.outbox;

import static io.outpost.agent.outbox.OutboxFixtures.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import io.outpost.plugin.testkit.FakeClock;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class OutboxTest {
  @TempDir Path dir;
  private final List<Outbox> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(Outbox::close);
  }

  private static AgentConfig.Buffer limits(
      long maxBytes, String telemetryPolicy, String eventsPolicy) {
    return new AgentConfig.Buffer(
        true, maxBytes, Duration.ofDays(7), Duration.ofMillis(5), telemetryPolicy, eventsPolicy);
  }

  private Outbox open(AgentConfig.Buffer limits, Clock clock) throws Exception {
    Outbox o = Outbox.open(dir, "pi-1", limits, clock);
    open.add(o);
    return o;
  }

  private Outbox open() throws Exception {
    return open(limits(64_000_000, "dropOldest", "keep"), Clock.systemUTC());
  }

  private static JsonObject event(String type) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    return o;
  }

  private static List<JsonObject> bodies(Outbox o) {
    return o.read(0, Long.MAX_VALUE, 10_000).stream()
        .map(r -> Json.parse(r.body()).getAsJsonObject())
        .toList();
  }

  private static void awaitCommitted(Outbox o, long rows) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> o.read(0, Long.MAX_VALUE, 100_000).size() >= rows);
  }

  @Test
  void messagesGetAStableStreamAndStrictlyIncreasingSeqAcrossRestarts() throws Exception {
    Outbox o = open();
    String stream = o.stream();
    for (int i = 1; i <= 3; i++) {
      o.appendTelemetry(telemetry(i));
    }
    awaitCommitted(o, 3);
    List<JsonObject> b = bodies(o);
    assertThat(b).extracting(x -> x.get("seq").getAsLong()).containsExactly(1L, 2L, 3L);
    assertThat(b.get(0).get("id").getAsString()).isEqualTo("pi-1:" + stream + ":1");
    assertThat(b.get(0).get("device").getAsString()).isEqualTo("pi-1");
    assertThat(b.get(0).get("stream").getAsString()).isEqualTo(stream);

    // Acked messages are deleted, but their sequence numbers are never reused.
    o.read(0, Long.MAX_VALUE, 10).forEach(o::ack);
    await().atMost(Duration.ofSeconds(10)).until(() -> o.pendingMessages() == 0);
    o.close();
    open.clear();

    Outbox again = open();
    assertThat(again.stream()).isEqualTo(stream);
    again.appendTelemetry(telemetry(4));
    awaitCommitted(again, 1);
    assertThat(bodies(again).get(0).get("seq").getAsLong()).isEqualTo(4);
  }

  @Test
  void unackedMessagesSurviveARestartInOrder() throws Exception {
    Outbox o = open();
    for (int i = 1; i <= 5; i++) {
      o.appendTelemetry(telemetry(i));
    }
    awaitCommitted(o, 5);
    List<Row> rows = o.read(0, Long.MAX_VALUE, 10);
    o.ack(rows.get(0));
    o.ack(rows.get(2));
    await().atMost(Duration.ofSeconds(10)).until(() -> o.pendingMessages() == 3);
    o.close();
    open.clear();

    Outbox again = open();
    assertThat(bodies(again)).extracting(x -> x.get("seq").getAsLong()).containsExactly(2L, 4L, 5L);
    assertThat(again.stats()).containsEntry("messages", 3L);
  }

  @Test
  void commandResultsAndDirectMessagesDoNotConsumeStreamSequenceNumbers() throws Exception {
    Outbox o = open();
    o.appendTelemetry(telemetry(1));
    o.appendDirect("console-7", event("command.result"));
    o.appendTo("fleets/f/status", event("hello"));
    o.appendEvent(event("status"));
    awaitCommitted(o, 4);
    List<Row> rows = o.read(0, Long.MAX_VALUE, 10);
    assertThat(rows).extracting(Row::seq).containsExactly(1L, 0L, 0L, 2L);
    assertThat(rows.get(1).to()).isEqualTo("console-7");
    assertThat(rows.get(1).channel()).isNull();

    o.putCommandResult("c-1", "{\"status\":\"succeeded\"}");
    o.close();
    open.clear();
    assertThat(open().commandResult("c-1")).contains("{\"status\":\"succeeded\"}");
  }

  @Test
  void overMaxBytesTheOldestTelemetryIsDroppedAndAnnouncedWhileEventsAreKept() throws Exception {
    Outbox o = open(limits(20_000, "dropOldest", "keep"), Clock.systemUTC());
    o.appendEvent(event("command.result"));
    for (int i = 1; i <= 300; i++) {
      o.appendTelemetry(telemetry(i));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                bodies(o).stream()
                    .anyMatch(b -> "buffer.dropped".equals(b.get("type").getAsString())));
    await().atMost(Duration.ofSeconds(10)).until(() -> (long) o.stats().get("queued") == 0);
    List<JsonObject> b = bodies(o);
    assertThat((long) o.stats().get("bytes")).isLessThanOrEqualTo(20_000 + 1_000);
    assertThat(b.get(0).get("type").getAsString()).isEqualTo("command.result");
    List<JsonObject> drops =
        b.stream().filter(x -> "buffer.dropped".equals(x.get("type").getAsString())).toList();
    long dropped = drops.stream().mapToLong(x -> x.get("count").getAsLong()).sum();
    List<Long> telemetrySeqs =
        b.stream()
            .filter(x -> "telemetry".equals(x.get("type").getAsString()))
            .map(x -> x.get("seq").getAsLong())
            .toList();
    // What is left is the newest telemetry, up to the last message appended.
    JsonObject last =
        b.stream()
            .filter(x -> "telemetry".equals(x.get("type").getAsString()))
            .reduce((x, y) -> y)
            .orElseThrow();
    assertThat(last.getAsJsonArray("records").get(0).getAsJsonObject().get("v").getAsInt())
        .isEqualTo(300);
    assertThat(telemetrySeqs).isSorted();
    assertThat(dropped + telemetrySeqs.size()).isEqualTo(300);
    assertThat(drops.get(0).get("reason").getAsString()).isEqualTo("maxBytes");
    assertThat(drops.get(0).get("fromSeq").getAsLong()).isEqualTo(2);
    assertThat(o.stats().get("dropped")).isEqualTo(dropped);
  }

  @Test
  void dropNewestKeepsTheOldestTelemetry() throws Exception {
    Outbox o = open(limits(10_000, "dropNewest", "keep"), Clock.systemUTC());
    for (int i = 1; i <= 200; i++) {
      o.appendTelemetry(telemetry(i));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> (long) o.stats().get("queued") == 0 && (long) o.stats().get("dropped") > 0);
    List<JsonObject> b = bodies(o);
    assertThat(b.get(0).get("seq").getAsLong()).isEqualTo(1);
    assertThat(b).anyMatch(x -> "buffer.dropped".equals(x.get("type").getAsString()));
  }

  @Test
  void telemetryOlderThanMaxAgeIsDropped() throws Exception {
    FakeClock clock = new FakeClock(Instant.parse("2026-11-23T00:00:00Z"));
    Outbox o =
        open(
            new AgentConfig.Buffer(
                true, 64_000_000, Duration.ofHours(1), Duration.ofMillis(5), "dropOldest", "keep"),
            clock);
    o.appendTelemetry(telemetry(1));
    o.appendEvent(event("command.result"));
    awaitCommitted(o, 2);
    clock.advance(Duration.ofHours(2));
    o.appendTelemetry(telemetry(2));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                bodies(o).stream()
                    .anyMatch(b -> "buffer.dropped".equals(b.get("type").getAsString())));
    List<JsonObject> b = bodies(o);
    assertThat(b)
        .extracting(x -> x.get("type").getAsString())
        .containsExactly("command.result", "telemetry", "buffer.dropped");
    JsonObject drop = b.get(2);
    assertThat(drop.get("reason").getAsString()).isEqualTo("maxAge");
    assertThat(drop.get("fromSeq").getAsLong()).isEqualTo(1);
    assertThat(drop.get("toSeq").getAsLong()).isEqualTo(1);
  }

  @Test
  void aStoreThatIsNotADatabaseIsMovedAsideAndTheAgentStartsFresh() throws Exception {
    Files.writeString(
        dir.resolve("outbox.db"), "this is not a database, it is a half-written mess".repeat(100));
    Outbox o = open();
    assertThat((String) o.stats().get("recovery"))
        .contains("store was damaged")
        .contains("recovered 0 messages");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("outbox.db.corrupt-"));
    }
    o.appendTelemetry(telemetry(1));
    awaitCommitted(o, 1);
    assertThat(bodies(o).get(0).get("seq").getAsLong()).isEqualTo(1);
    assertThat(o.writable()).isTrue();
  }

  @Test
  void aDamagedStoreKeepsWhatCanStillBeRead() throws Exception {
    Outbox o = open();
    String big = "x".repeat(400);
    for (int i = 1; i <= 2000; i++) {
      JsonObject t = telemetry(i);
      t.addProperty("pad", big);
      o.appendTelemetry(t);
    }
    awaitCommitted(o, 2000);
    String oldStream = o.stream();
    o.close();
    open.clear();
    Path db = dir.resolve("outbox.db");
    long size = Files.size(db);
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      // Scribble over a page near the end: the first messages stay readable.
      f.seek(size - 3 * 4096);
      f.write(new byte[4096]);
      f.seek(size - 3 * 4096);
      f.write("garbage".repeat(600).getBytes(), 0, 4096);
    }
    Outbox again = open();
    String note = (String) again.stats().get("recovery");
    assertThat(note).contains("store was damaged");
    List<JsonObject> b = bodies(again);
    assertThat(b.size()).isLessThan(2000);
    if (!b.isEmpty()) {
      // Salvaged messages keep their original identity, so consumers can dedupe and detect gaps.
      assertThat(b.get(0).get("stream").getAsString()).isEqualTo(oldStream);
      assertThat(b.get(0).get("seq").getAsLong()).isEqualTo(1);
    }
    assertThat(again.stream()).isNotEqualTo(oldStream);
  }

  @Test
  void memoryDurabilityBehavesTheSameWithoutFiles() throws Exception {
    Outbox o =
        Outbox.open(
            dir.resolve("unused"),
            "pi-1",
            new AgentConfig.Buffer(
                false, 64_000_000, Duration.ofDays(1), Duration.ZERO, "dropOldest", "keep"),
            Clock.systemUTC());
    open.add(o);
    o.appendTelemetry(telemetry(1));
    o.appendTelemetry(telemetry(2));
    awaitCommitted(o, 2);
    assertThat(bodies(o)).extracting(x -> x.get("seq").getAsLong()).containsExactly(1L, 2L);
    assertThat(Files.exists(dir.resolve("unused"))).isFalse();
  }
}
