package io.outpost.agent.outbox;

import static io.outpost.agent.outbox.OutboxFixtures.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seqs are reserved durably ahead of use, so a run that ends without a clean stop never lets the
 * next one hand out a seq again: a consumer deduplicating on {@code id} would discard the new
 * message. The skipped seqs are announced once.
 */
@Timeout(30)
class SeqReservationTest {
  @TempDir Path dir;
  private final List<Outbox> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(Outbox::close);
  }

  private Outbox open() throws Exception {
    Outbox o = OutboxFixtures.openDurable(dir);
    open.add(o);
    return o;
  }

  private static List<JsonObject> bodies(Outbox o) {
    return o.read(0, Long.MAX_VALUE, 100).stream()
        .map(r -> Json.parse(r.body()).getAsJsonObject())
        .toList();
  }

  private static List<JsonObject> ofType(Outbox o, String type) {
    return bodies(o).stream().filter(b -> type.equals(b.get("type").getAsString())).toList();
  }

  private static long lastSeq(Outbox o) {
    return (long) o.stats().get("lastSeq");
  }

  private static void appendAndAwait(Outbox o, int n) {
    long before = o.committedRid();
    for (int i = 1; i <= n; i++) {
      o.appendTelemetry(telemetry(i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= before + n);
  }

  @Test
  void aCleanStopContinuesWithTheNextSeqAndAnnouncesNothing() throws Exception {
    Outbox o = open();
    appendAndAwait(o, 3);
    // Some delivered and deleted, some still stored: neither leaves a gap.
    o.ack(o.read(0, Long.MAX_VALUE, 10).get(0));
    o.close();
    open.clear();

    Outbox again = open();
    appendAndAwait(again, 1);
    assertThat(bodies(again)).extracting(b -> b.get("seq").getAsLong()).containsExactly(2L, 3L, 4L);
    assertThat(ofType(again, "buffer.dropped")).isEmpty();
    assertThat(again.stats()).containsEntry("dropped", 0L);
  }

  @Test
  void afterACrashNoSeqIsHandedOutAgainAndTheSkippedSeqsAreAnnouncedOnce() throws Exception {
    Outbox o = open();
    String stream = o.stream();
    appendAndAwait(o, 3);
    o.halt(); // killed: no last round, no clean stop recorded
    open.clear();

    Outbox again = open();
    assertThat(again.stream()).isEqualTo(stream);
    appendAndAwait(again, 2);
    List<JsonObject> drops = ofType(again, "buffer.dropped");
    assertThat(drops).hasSize(1);
    JsonObject drop = drops.get(0);
    assertThat(drop.get("reason").getAsString()).isEqualTo(Outbox.UNCLEAN_STOP);
    assertThat(drop.get("fromSeq").getAsLong()).isEqualTo(4);
    assertThat(drop.get("toSeq").getAsLong()).isEqualTo(Outbox.RESERVE_BLOCK);
    assertThat(drop.get("count").getAsLong()).isEqualTo(Outbox.RESERVE_BLOCK - 3);
    List<Long> seqs =
        ofType(again, "telemetry").stream().map(b -> b.get("seq").getAsLong()).toList();
    assertThat(seqs).hasSize(5).startsWith(1L, 2L, 3L).isSorted();
    assertThat(seqs.subList(3, 5)).allMatch(s -> s > Outbox.RESERVE_BLOCK);
    // An upper bound of what may be lost, not messages known to be dropped.
    assertThat(again.stats()).containsEntry("dropped", 0L);
    try (Consumer c = new Consumer(again)) {
      c.connect();
      long last = lastSeq(again);
      await().atMost(Duration.ofSeconds(10)).until(() -> c.delivered(last));
      c.assertEverySeqDeliveredOrAnnounced(last);
    }

    // A clean stop after that: the next run continues where this one ended.
    long ended = lastSeq(again);
    again.close();
    open.clear();
    Outbox third = open();
    appendAndAwait(third, 1);
    assertThat(ofType(third, "telemetry"))
        .extracting(b -> b.get("seq").getAsLong())
        .containsExactly(ended + 1);
    assertThat(ofType(third, "buffer.dropped")).isEmpty();
  }

  @Test
  void aRunLongerThanOneBlockExtendsTheReservationBeforeHandingOutItsSeqs() throws Exception {
    Outbox o = open();
    int n = (int) Outbox.RESERVE_BLOCK + 500;
    appendAndAwait(o, n);
    assertThat(lastSeq(o)).isEqualTo(n);
    o.halt();
    open.clear();

    Outbox again = open();
    appendAndAwait(again, 1);
    JsonObject drop =
        again.read(n, Long.MAX_VALUE, 10).stream()
            .map(r -> Json.parse(r.body()).getAsJsonObject())
            .filter(b -> "buffer.dropped".equals(b.get("type").getAsString()))
            .findFirst()
            .orElseThrow();
    assertThat(drop.get("fromSeq").getAsLong()).isEqualTo(n + 1);
    assertThat(drop.get("toSeq").getAsLong()).isGreaterThanOrEqualTo(n + 1);
    assertThat(lastSeq(again)).isGreaterThan(drop.get("toSeq").getAsLong());
  }
}
