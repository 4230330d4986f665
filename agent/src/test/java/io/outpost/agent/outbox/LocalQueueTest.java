package io.outpost.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import io.outpost.plugin.DurableQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service's durable queue: ordered, kept across a reopen, bounded with announced drops. */
class LocalQueueTest {
  @TempDir Path dir;

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> texts(List<DurableQueue.Entry> entries) {
    return entries.stream().map(e -> new String(e.data(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void entriesComeBackInOrderAndStayUntilRemovedEvenAcrossAReopen() throws Exception {
    long first;
    try (LocalQueue q = LocalQueue.open(dir, "bridge", 1_000, true)) {
      first = q.add(bytes("a")).id();
      q.add(bytes("b"));
      q.add(bytes("c"));
      assertThat(texts(q.peek(0, 10))).containsExactly("a", "b", "c");
      q.remove(first); // delivered
      q.remove(first); // again: not an error
      assertThat(q.size()).isEqualTo(2);
      assertThat(q.bytes()).isEqualTo(2);
    } // a clean close here; a killed process keeps as much (each add is its own commit)
    assertThat(Files.exists(dir.resolve("queue-bridge.db"))).isTrue();
    try (LocalQueue q = LocalQueue.open(dir, "bridge", 1_000, true)) {
      assertThat(texts(q.peek(0, 10))).containsExactly("b", "c");
      assertThat(q.size()).isEqualTo(2);
      // Ids never repeat, so a reader's position stays valid.
      assertThat(q.add(bytes("d")).id()).isGreaterThan(first + 2);
      List<DurableQueue.Entry> after = q.peek(q.peek(0, 1).get(0).id(), 10);
      assertThat(texts(after)).containsExactly("c", "d");
    }
  }

  @Test
  void whenFullTheOldestAreDroppedAndTheCountIsKeptUntilAnnounced() throws Exception {
    try (LocalQueue q = LocalQueue.open(dir, "bridge", 10, true)) {
      for (String s : List.of("aaaa", "bbbb")) {
        assertThat(q.add(bytes(s)).dropped()).isEmpty();
      }
      DurableQueue.Added added = q.add(bytes("ccccccc")); // 7 more: both older ones must go
      assertThat(texts(added.dropped())).containsExactly("aaaa", "bbbb");
      assertThat(texts(q.peek(0, 10))).containsExactly("ccccccc");
      assertThat(q.bytes()).isEqualTo(7);
      assertThat(q.unannounced()).isEqualTo(2);
      assertThatThrownBy(() -> q.add(new byte[11]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not fit queue bridge");
      assertThat(texts(q.peek(0, 10)))
          .as("a refused entry loses nothing")
          .containsExactly("ccccccc");
    }
    try (LocalQueue q = LocalQueue.open(dir, "bridge", 10, true)) {
      assertThat(q.unannounced()).as("kept across a restart").isEqualTo(2);
      q.announced(2);
      assertThat(q.unannounced()).isZero();
    }
  }

  @Test
  void aDamagedFileIsMovedAsideAndAFreshQueueBegins() throws Exception {
    Files.writeString(dir.resolve("queue-bridge.db"), "garbage, not SQLite at all");
    try (LocalQueue q = LocalQueue.open(dir, "bridge", 1_000, true)) {
      assertThat(q.size()).isZero();
      q.add(bytes("x"));
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("queue-bridge.db.corrupt-"));
    }
  }

  @Test
  void dropsAreAnnouncedOnTheEventsChannelLikeTheOutboxsOwn() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Outbox outbox = OutboxFixtures.openDurable(dir);
    try (LocalQueues queues = new LocalQueues(dir, "pi-1", true, outbox, timer)) {
      DurableQueue q = queues.queue("bridge", 10);
      assertThat(queues.queue("bridge", 10)).as("one queue per name").isSameAs(q);
      for (int i = 0; i < 5; i++) {
        q.add(bytes("12345")); // room for two: each add drops one from the third on
      }
      // One notice for the burst (coalesced), with the count.
      JsonObject notice =
          await()
              .atMost(Duration.ofSeconds(5))
              .until(
                  () ->
                      outbox.read(0, Long.MAX_VALUE, 100).stream()
                          .map(r -> Json.parse(r.body()).getAsJsonObject())
                          .filter(d -> d.get("type").getAsString().equals("buffer.dropped"))
                          .findFirst()
                          .orElse(null),
                  java.util.Objects::nonNull);
      assertThat(notice.get("queue").getAsString()).isEqualTo("bridge");
      assertThat(notice.get("reason").getAsString()).isEqualTo("bridgeQueueFull");
      assertThat(notice.get("count").getAsLong()).isEqualTo(3);
      assertThat(notice.get("device").getAsString()).isEqualTo("pi-1");
      assertThat(notice.has("seq")).as("a stream message like every event").isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> ((LocalQueue) q).unannounced() == 0);
    } finally {
      timer.shutdownNow();
      outbox.close();
    }
  }
}
