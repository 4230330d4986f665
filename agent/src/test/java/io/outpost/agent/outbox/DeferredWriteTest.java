package io.outpost.agent.outbox;

import static io.outpost.agent.outbox.OutboxFixtures.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code buffer.writeDelay}: a message is readable at once but written to the store only when its
 * ack has not come within the window, so on a healthy link it never touches the disk. What the
 * promise keeps: an unacked message is written after the window or at a clean stop, a kill loses
 * only unacked ones and announces them, and {@code appendCommitted} still means durable.
 */
@Timeout(30)
class DeferredWriteTest {
  @TempDir Path dir;
  private final List<Outbox> open = new ArrayList<>();
  private CountingStore store;

  @AfterEach
  void closeAll() {
    open.forEach(Outbox::close);
  }

  private static AgentConfig.Buffer limits(long maxBytes, Duration writeDelay) {
    return new AgentConfig.Buffer(
        true, maxBytes, Duration.ofDays(7), Duration.ofMillis(5), "dropOldest", "keep", writeDelay);
  }

  private Outbox open(Duration writeDelay) throws Exception {
    return open(limits(64_000_000, writeDelay));
  }

  private Outbox open(AgentConfig.Buffer limits) throws Exception {
    store = new CountingStore(dir);
    Outbox o = Outbox.open(store, "pi-1", limits, Clock.systemUTC());
    open.add(o);
    return o;
  }

  /**
   * Appends {@code n} telemetry messages (counts 1 to n) and returns the rows once all are
   * readable.
   */
  private static List<Row> appendReadable(Outbox o, int n) {
    for (int i = 1; i <= n; i++) {
      o.appendTelemetry(telemetry(i));
    }
    return readable(o, n);
  }

  private static List<Row> readable(Outbox o, int n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> o.read(0, Long.MAX_VALUE, 1000).size() >= n);
    return o.read(0, Long.MAX_VALUE, 1000);
  }

  private static List<JsonObject> bodies(Outbox o) {
    return o.read(0, Long.MAX_VALUE, 1000).stream()
        .map(r -> Json.parse(r.body()).getAsJsonObject())
        .toList();
  }

  private static List<JsonObject> ofType(Outbox o, String type) {
    return bodies(o).stream().filter(b -> type.equals(b.get("type").getAsString())).toList();
  }

  @Test
  void aMessageAckedWithinTheWindowIsNeverWritten() throws Exception {
    Outbox o = open(Duration.ofMillis(300));
    List<Row> rows = appendReadable(o, 5);
    assertThat(o.stats()).containsEntry("deferred", 5L).containsEntry("messages", 5L);
    rows.forEach(o::ack);

    Thread.sleep(900); // three windows
    assertThat(store.insertedRids).isEmpty();
    assertThat(store.commits.get()).isZero();
    assertThat(o.stats()).containsEntry("deferred", 0L).containsEntry("messages", 0L);
    // Nothing left to do: the writer waits without a timeout.
    await().atMost(Duration.ofSeconds(5)).until(() -> o.writerState() == Thread.State.WAITING);
  }

  @Test
  void onAHealthyLinkReadsNeverQueryTheStore() throws Exception {
    Outbox o = open(Duration.ofSeconds(5));
    for (int round = 1; round <= 20; round++) {
      o.appendTelemetry(telemetry(round));
      List<Row> rows = readable(o, 1);
      assertThat(rows).hasSize(1);
      o.ack(rows.get(0));
      assertThat(o.read(0, Long.MAX_VALUE, 64)).isEmpty();
    }
    // Nothing is stored, and the outbox knows it exactly: no query at all.
    assertThat(store.reads.get()).isZero();
    assertThat(store.commits.get()).isZero();
  }

  @Test
  void aStoredRowAckedTwiceLeavesTheCountExactSoLaterStoredRowsAreStillRead() throws Exception {
    Outbox o = open(Duration.ZERO); // every message is written at once
    Row first = appendReadable(o, 1).get(0);
    o.ack(first);
    // Written, then deleted: two transactions.
    await().atMost(Duration.ofSeconds(5)).until(() -> store.commits.get() == 2);
    // A second ack of a row already deleted (a resend acked again): the store has nothing to
    // delete for it. Counting it as deleted once more would make the outbox believe the store
    // empty while the next row sits in it.
    o.ack(first);
    o.appendTelemetry(telemetry(2));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.insertedRids.size() == 2);
    int before = store.reads.get();
    assertThat(o.read(0, Long.MAX_VALUE, 10))
        .extracting(r -> Json.parse(r.body()).getAsJsonObject().get("seq").getAsLong())
        .containsExactly(2L);
    assertThat(store.reads.get()).isGreaterThan(before);
    assertThat(o.stats()).containsEntry("messages", 1L);
  }

  @Test
  void rowsStoredByTheLastRunAreReadFromTheStore() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    appendReadable(o, 3);
    o.close(); // a clean stop writes them
    open.clear();

    Outbox again = open(Duration.ofHours(1));
    assertThat(again.read(0, Long.MAX_VALUE, 10))
        .extracting(r -> Json.parse(r.body()).getAsJsonObject().get("seq").getAsLong())
        .containsExactly(1L, 2L, 3L);
    assertThat(store.reads.get()).isPositive();
  }

  @Test
  void ackingTheLowestDeferredRowsKeepsTheKnownSeqBelowTheRest() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    List<Row> rows = appendReadable(o, 6);
    // The lowest two acked (in order, as on a healthy link), one in the middle out of order.
    o.ack(rows.get(0));
    o.ack(rows.get(1));
    o.ack(rows.get(3));
    // Stored with seq 7, and the seq recorded as known must stay below 3: seqs 3, 5 and 6 are
    // written with it, 4 was delivered.
    o.appendCommitted("devices/pi-1/events", telemetry(7)).get(5, TimeUnit.SECONDS);
    assertThat(store.insertedSeqs).containsExactlyInAnyOrder(3L, 5L, 6L, 7L);
    o.appendTelemetry(telemetry(8));
    readable(o, 5);
    o.halt();
    open.clear();

    Outbox again = open(Duration.ofHours(1));
    again.appendTelemetry(telemetry(9));
    readable(again, 6);
    assertThat(ofType(again, "telemetry"))
        .extracting(b -> b.get("seq").getAsLong())
        .startsWith(3L, 5L, 6L, 7L);
    JsonObject drop = ofType(again, "buffer.dropped").get(0);
    assertThat(drop.get("reason").getAsString()).isEqualTo(Outbox.UNCLEAN_STOP);
    assertThat(drop.get("fromSeq").getAsLong()).isEqualTo(8);
  }

  @Test
  void aDeferredMessageGetsItsIdsAtItsEndAndTheCallersObjectIsLeftAsItWas() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    JsonObject empty = new JsonObject();
    JsonObject own = telemetry(2);
    own.addProperty("device", "cam \"7\"");
    own.addProperty("id", "mine");
    JsonObject replaced = telemetry(3);
    replaced.addProperty("seq", 99);
    replaced.addProperty("stream", "old");
    JsonObject plain = telemetry(4);
    List<JsonObject> sent = List.of(empty, own, replaced, plain);
    List<String> before = sent.stream().map(Json::write).toList();
    sent.forEach(o::appendTelemetry);
    List<Row> rows = readable(o, 4);

    String stream = o.stream();
    for (int i = 0; i < 4; i++) {
      // What stamping a copy of the tree gives, field order included.
      JsonObject expected = sent.get(i).deepCopy();
      long seq = i + 1;
      if (!expected.has("device")) {
        expected.addProperty("device", "pi-1");
      }
      expected.addProperty("stream", stream);
      expected.addProperty("seq", seq);
      if (!expected.has("id")) {
        expected.addProperty("id", "pi-1:" + stream + ":" + seq);
      }
      assertThat(rows.get(i).body()).isEqualTo(Json.write(expected));
      assertThat(Json.write(sent.get(i))).isEqualTo(before.get(i));
    }
  }

  @Test
  void aTelemetryMessageGivenAsTextIsStoredAsItsTreeIsDeferredOrWritten() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    JsonObject message = telemetry(7);
    message.addProperty("device", "pi-1");
    String text = Json.write(message);
    o.appendTelemetry(message); // seq 1: the tree
    o.appendTelemetry(text); // seq 2: the same message as text, deferred
    o.linkUp(false);
    o.appendTelemetry(text); // seq 3: no link, so through the writer's queue
    List<Row> rows = readable(o, 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.insertedRids.size() == 3);

    String stream = o.stream();
    for (int i = 0; i < 3; i++) {
      long seq = i + 1;
      JsonObject expected = message.deepCopy();
      expected.addProperty("stream", stream);
      expected.addProperty("seq", seq);
      expected.addProperty("id", "pi-1:" + stream + ":" + seq);
      assertThat(rows.get(i).body()).isEqualTo(Json.write(expected));
    }
  }

  @Test
  void anUnackedMessageIsWrittenAfterTheWindow() throws Exception {
    Outbox o = open(Duration.ofMillis(2500));
    long start = System.nanoTime();
    List<Row> rows = appendReadable(o, 2);
    assertThat(store.insertedRids).isEmpty();
    assertThat(o.stats()).containsEntry("deferred", 2L).containsEntry("held", 0L);
    // Waiting for the first row's window, not polling.
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> o.writerState() == Thread.State.TIMED_WAITING);

    await().atMost(Duration.ofSeconds(5)).until(() -> store.insertedRids.size() == 2);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(2500);
    assertThat(store.insertedRids).containsExactly(rows.get(0).rid(), rows.get(1).rid());
    assertThat(store.commits.get()).isEqualTo(1); // both in one transaction
    assertThat(o.stats()).containsEntry("deferred", 0L).containsEntry("messages", 2L);
    // Still readable, now from the store, and deleted once acked.
    assertThat(o.read(0, Long.MAX_VALUE, 10))
        .extracting(Row::rid)
        .containsExactly(rows.get(0).rid(), rows.get(1).rid());
    rows.forEach(o::ack);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.commits.get() == 2);
    assertThat(o.read(0, Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  void withoutALinkMessagesAreWrittenAsTheyComeAndWhatWaitsIsWrittenWhenItGoesDown()
      throws Exception {
    Outbox o = open(Duration.ofHours(1));
    List<Row> waiting = appendReadable(o, 2); // the link is up: they wait for their ack
    assertThat(store.insertedRids).isEmpty();

    o.linkUp(false); // no ack can come now: what waits is written at once, not an hour later
    await().atMost(Duration.ofSeconds(5)).until(() -> store.insertedRids.size() == 2);
    assertThat(store.insertedRids).containsExactly(waiting.get(0).rid(), waiting.get(1).rid());

    o.appendTelemetry(telemetry(3)); // and a new message is written as it comes
    await().atMost(Duration.ofSeconds(5)).until(() -> store.insertedRids.size() == 3);
    assertThat(o.stats()).containsEntry("deferred", 0L).containsEntry("messages", 3L);

    o.linkUp(true); // back up: new messages wait for their ack again
    o.appendTelemetry(telemetry(4));
    await().atMost(Duration.ofSeconds(5)).until(() -> o.read(0, Long.MAX_VALUE, 10).size() == 4);
    Thread.sleep(200);
    assertThat(store.insertedRids).hasSize(3);
    assertThat(o.stats()).containsEntry("deferred", 1L);
  }

  @Test
  void aKillLosesOnlyUnackedDeferredMessagesAndTheNextStartAnnouncesThem() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    List<Row> rows = appendReadable(o, 4);
    o.ack(rows.get(0)); // seq 1 delivered; 2..4 are not
    o.halt();
    open.clear();
    assertThat(store.insertedRids).isEmpty();

    Outbox again = open(Duration.ofHours(1));
    again.appendTelemetry(telemetry(5));
    readable(again, 2);
    JsonObject drop = ofType(again, "buffer.dropped").get(0);
    assertThat(drop.get("reason").getAsString()).isEqualTo(Outbox.UNCLEAN_STOP);
    assertThat(drop.get("fromSeq").getAsLong()).isLessThanOrEqualTo(2);
    assertThat(drop.get("toSeq").getAsLong()).isGreaterThanOrEqualTo(4);
    long newSeq = ofType(again, "telemetry").get(0).get("seq").getAsLong();
    assertThat(newSeq).isGreaterThan(drop.get("toSeq").getAsLong());
  }

  @Test
  void aMessageWrittenAtOnceTakesTheDeferredOnesBeforeItAlongSoAKillCannotHideThem()
      throws Exception {
    Outbox o = open(Duration.ofHours(1));
    appendReadable(o, 2);
    // Stored with seq 3: had seqs 1 and 2 stayed unwritten, the next start would take them as
    // stored or delivered and announce nothing for them.
    o.appendCommitted("devices/pi-1/events", telemetry(3)).get(5, TimeUnit.SECONDS);
    assertThat(store.insertedSeqs).containsExactlyInAnyOrder(1L, 2L, 3L);
    o.appendTelemetry(telemetry(4));
    readable(o, 4);
    o.halt();
    open.clear();

    Outbox again = open(Duration.ofHours(1));
    again.appendTelemetry(telemetry(5));
    readable(again, 5);
    assertThat(ofType(again, "telemetry"))
        .extracting(b -> b.get("seq").getAsLong())
        .startsWith(1L, 2L, 3L);
    JsonObject drop = ofType(again, "buffer.dropped").get(0);
    assertThat(drop.get("fromSeq").getAsLong()).isEqualTo(4);
  }

  @Test
  void deferredMessagesTakeTheirSeqsFromTheReservationAndAKillAnnouncesAllThatWereNotWritten()
      throws Exception {
    Outbox o = open(Duration.ofHours(1));
    int n = (int) Outbox.RESERVE_BLOCK + 500; // crosses into the second reserved block
    for (int i = 1; i <= n; i++) {
      o.appendTelemetry(telemetry(i));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> o.committedRid() >= n);
    assertThat(o.stats()).containsEntry("lastSeq", (long) n);
    // At most 2 MiB of them wait in memory (about 9,000 here): some were written, the rest not.
    o.halt();
    open.clear();

    Outbox again = open(Duration.ofHours(1));
    again.appendTelemetry(telemetry(0));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                again.read(n / 2, Long.MAX_VALUE, 2 * n).stream()
                    .anyMatch(r -> r.body().contains("\"buffer.dropped\"")));
    List<Row> rows = again.read(0, Long.MAX_VALUE, 2 * n);
    java.util.Set<Long> stored = new java.util.HashSet<>();
    JsonObject drop = null;
    long newSeq = 0;
    for (Row r : rows) {
      JsonObject b = Json.parse(r.body()).getAsJsonObject();
      if ("buffer.dropped".equals(b.get("type").getAsString())) {
        drop = b;
      } else if (b.getAsJsonArray("records").get(0).getAsJsonObject().get("v").getAsInt() == 0) {
        newSeq = r.seq(); // the message of the new run
      } else {
        stored.add(r.seq());
      }
    }
    long from = drop.get("fromSeq").getAsLong();
    long to = drop.get("toSeq").getAsLong();
    assertThat(to).isGreaterThanOrEqualTo(n);
    for (long seq = 1; seq <= n; seq++) {
      assertThat(stored.contains(seq) || (seq >= from && seq <= to))
          .as("seq %d stored or announced", seq)
          .isTrue();
    }
    assertThat(newSeq).isGreaterThan(to);
  }

  @Test
  void whatWaitsInMemoryIsBoundedAndWrittenBeyondTheBound() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    JsonObject big = telemetry(1);
    big.addProperty("pad", "x".repeat(100_000)); // a camera chunk's size
    int n = (int) (Outbox.DEFERRED_MAX_BYTES / 100_000) + 5;
    for (int i = 0; i < n; i++) {
      o.appendEvent(big);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= n);
    assertThat(store.insertedRids).isNotEmpty();
    assertThat((long) o.stats().get("deferredBytes"))
        .isLessThanOrEqualTo(Outbox.DEFERRED_MAX_BYTES);
    assertThat(o.stats()).containsEntry("messages", (long) n);
  }

  @Test
  void aCleanStopWritesTheUnackedMessagesAndContinuesWithoutAGap() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    o.ack(appendReadable(o, 3).get(0));
    o.close();
    open.clear();
    assertThat(store.insertedSeqs).containsExactly(2L, 3L);

    Outbox again = open(Duration.ofHours(1));
    again.appendTelemetry(telemetry(4));
    readable(again, 3);
    assertThat(bodies(again)).extracting(b -> b.get("seq").getAsLong()).containsExactly(2L, 3L, 4L);
    assertThat(ofType(again, "buffer.dropped")).isEmpty();
  }

  @Test
  void appendCommittedIsWrittenBeforeItsFutureCompletes() throws Exception {
    Outbox o = open(Duration.ofHours(1));
    var written = o.appendCommitted("bridge/in", telemetry(1));
    written.get(5, TimeUnit.SECONDS);
    assertThat(store.insertedRids).hasSize(1);
    o.halt(); // nothing more: what was promised is on disk
    open.clear();

    Outbox again = open(Duration.ofHours(1));
    // Beside the next start's uncleanStop announcement (on the events channel).
    assertThat(again.read(0, Long.MAX_VALUE, 10))
        .filteredOn(r -> r.seq() == 0)
        .extracting(Row::channel)
        .containsExactly("bridge/in");
  }

  @Test
  void deferredMessagesCountAgainstTheBoundAndTheOldestGoFirst() throws Exception {
    Outbox o = open(limits(20_000, Duration.ofHours(1)));
    for (int i = 1; i <= 400; i++) {
      o.appendTelemetry(telemetry(i));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                (long) o.stats().get("queued") == 0
                    && !ofType(o, "buffer.dropped").isEmpty()
                    // The writer takes the queue before its commit: the last rows can be on their
                    // way to the store for a moment after "queued" shows 0.
                    && ofType(o, "telemetry").stream()
                        .anyMatch(b -> b.get("seq").getAsLong() == 400));
    // Without counting deferred rows nothing would be dropped (nothing is stored): 400 messages
    // take about 68 KB. The bound holds, plus the announcements (events, kept) made after drops.
    assertThat((long) o.stats().get("bytes")).isLessThanOrEqualTo(20_000 + 2_000);
    JsonObject drop = ofType(o, "buffer.dropped").get(0);
    assertThat(drop.get("reason").getAsString()).isEqualTo("maxBytes");
    assertThat(drop.get("fromSeq").getAsLong()).isEqualTo(1);
    assertThat(ofType(o, "telemetry"))
        .extracting(b -> b.get("seq").getAsLong())
        .contains(400L)
        .doesNotContain(1L);
  }
}
