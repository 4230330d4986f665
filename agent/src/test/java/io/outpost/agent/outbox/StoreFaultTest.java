package io.outpost.agent.outbox;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a real, small file system that runs full or turns read-only under the agent: the
 * outbox keeps delivering (what is stored drains, live data flows from memory), says what it drops,
 * and writes again once the disk is usable — without a restart. Every seq it assigned is delivered
 * or announced.
 */
@Timeout(90)
class StoreFaultTest {
  private static final long MAX_BYTES = 64_000_000;
  private static final String PAD = "x".repeat(300);

  @TempDir Path tmp;

  private static AgentConfig.Buffer limits() {
    return new AgentConfig.Buffer(
        true, MAX_BYTES, Duration.ofDays(7), Duration.ofMillis(5), "dropOldest", "keep");
  }

  private static JsonObject telemetry(int n, String pad) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "telemetry");
    o.add("records", Json.parse("[{\"n\": \"ctr/count\", \"v\": " + n + "}]"));
    o.addProperty("pad", pad);
    return o;
  }

  private static long lastSeq(Outbox o) {
    return (long) o.stats().get("lastSeq");
  }

  private static long held(Outbox o) {
    return (long) o.stats().get("held");
  }

  /** Appends until the store refuses a write; returns how many were appended. */
  private static int fillUntilUnwritable(Outbox o) throws InterruptedException {
    int n = 0;
    while (o.writable() && n < 50_000) {
      o.appendTelemetry(telemetry(n++, PAD));
      if (n % 100 == 0) {
        Thread.sleep(5);
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !o.writable());
    return n;
  }

  @Test
  void aFullDiskKeepsDeliveringAnnouncesWhatItDropsAndWritesAgainWhenSpaceReturns()
      throws Exception {
    try (SmallDisk disk = SmallDisk.tmpfs(tmp.resolve("disk"), "1m")) {
      Outbox o = Outbox.open(tmp.resolve("disk/state"), "pi-1", limits(), Clock.systemUTC());
      try (Consumer c = new Consumer(o)) {
        // Offline, the disk runs full.
        fillUntilUnwritable(o);
        assertThat((String) o.stats().get("lastError")).isNotNull();
        // The bound drops below what is stored, so the oldest telemetry goes, announced.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> (long) o.stats().get("maxBytes") < MAX_BYTES);
        await().atMost(Duration.ofSeconds(10)).until(() -> (long) o.stats().get("dropped") > 0);

        // Online while the disk is still full: the backlog drains and live data flows.
        c.connect();
        for (int i = 0; i < 100; i++) {
          o.appendTelemetry(telemetry(i, PAD));
          Thread.sleep(5);
        }
        long live = lastSeq(o);
        await().atMost(Duration.ofSeconds(10)).until(() -> c.delivered(live));
        assertThat(c.deliveredWhileUnwritable()).isPositive();

        // Space returns: writing resumes by itself and nothing waits in memory any more.
        disk.resize("16m");
        for (int i = 0; i < 50; i++) {
          o.appendTelemetry(telemetry(i, PAD));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> o.writable() && held(o) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> o.pendingMessages() == 0);
        assertThat(o.stats()).doesNotContainKey("lastError");
        c.assertEverySeqDeliveredOrAnnounced(lastSeq(o));
        assertThat(c.announcements())
            .anyMatch(a -> "diskFull".equals(a.get("reason").getAsString()));
      } finally {
        o.close();
      }
    }
  }

  @Test
  void whileNothingCanBeWrittenMemoryIsBoundedAndTheOldestTelemetryDroppedIsAnnounced()
      throws Exception {
    try (SmallDisk disk = SmallDisk.ext4(tmp.resolve("disk"), tmp, 16)) {
      Outbox o = Outbox.open(tmp.resolve("disk/state"), "pi-1", limits(), Clock.systemUTC());
      try (Consumer c = new Consumer(o)) {
        o.appendTelemetry(telemetry(0, PAD));
        await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 1 && held(o) == 0);
        disk.failReadOnly();
        String big = "y".repeat(1000);
        for (int i = 0; i < 6000; i++) {
          o.appendTelemetry(telemetry(i, big));
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> (long) o.stats().get("queued") == 0 && held(o) > 0);
        assertThat(o.writable()).isFalse();
        assertThat((long) o.stats().get("heldBytes"))
            .isLessThanOrEqualTo(Retention.HELD_MAX_BYTES + 64 * 1024);

        c.connect();
        long last = lastSeq(o);
        await().atMost(Duration.ofSeconds(20)).until(() -> c.delivered(last));
        assertThat(c.announcements())
            .anyMatch(a -> "storeUnwritable".equals(a.get("reason").getAsString()));
        c.assertEverySeqDeliveredOrAnnounced(last);
      } finally {
        o.close();
      }
    }
  }

  @Test
  void aFileSystemTurnedReadOnlyKeepsDeliveringAndWritesAgainOnceRepaired() throws Exception {
    try (SmallDisk disk = SmallDisk.ext4(tmp.resolve("disk"), tmp, 16)) {
      Outbox o = Outbox.open(tmp.resolve("disk/state"), "pi-1", limits(), Clock.systemUTC());
      try (Consumer c = new Consumer(o)) {
        for (int i = 0; i < 200; i++) {
          o.appendTelemetry(telemetry(i, PAD));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 200 && held(o) == 0);

        disk.failReadOnly();
        for (int i = 0; i < 100; i++) {
          o.appendTelemetry(telemetry(i, PAD));
          Thread.sleep(2);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !o.writable() && held(o) > 0);

        // What was stored before and what came after both reach the server.
        c.connect();
        long last = lastSeq(o);
        await().atMost(Duration.ofSeconds(10)).until(() -> c.delivered(last) && c.delivered(1));
        assertThat(o.writable()).isFalse();
        c.assertEverySeqDeliveredOrAnnounced(last);

        // The repaired disk may have lost the file (its pages never reached the disk): then a
        // fresh store (and stream) begins; either way writing resumes without a restart.
        disk.repairAndRemount();
        o.appendTelemetry(telemetry(1, PAD));
        await().atMost(Duration.ofSeconds(15)).until(() -> o.writable() && held(o) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> o.pendingMessages() == 0);
      } finally {
        o.close();
      }
    }
  }

  @Test
  void messagesHeldWhenTheAgentStopsAreAnnouncedAtTheNextStartAndTheirSeqsNeverReused()
      throws Exception {
    try (SmallDisk disk = SmallDisk.ext4(tmp.resolve("disk"), tmp, 16)) {
      Path state = tmp.resolve("disk/state");
      Outbox o = Outbox.open(state, "pi-1", limits(), Clock.systemUTC());
      String stream = o.stream();
      o.appendTelemetry(telemetry(0, PAD));
      await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 1 && held(o) == 0);
      disk.failReadOnly();
      for (int i = 1; i <= 20; i++) {
        o.appendTelemetry(telemetry(i, PAD));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !o.writable() && (long) o.stats().get("queued") == 0 && held(o) == 20);
      long lost = lastSeq(o);
      o.close(); // the 20 held messages cannot be kept

      disk.repairAndRemount();
      Outbox again = Outbox.open(state, "pi-1", limits(), Clock.systemUTC());
      try (Consumer c = new Consumer(again)) {
        assertThat(again.stream()).isEqualTo(stream);
        again.appendTelemetry(telemetry(21, PAD));
        c.connect();
        await().atMost(Duration.ofSeconds(10)).until(() -> c.delivered(lastSeq(again)));
        assertThat(c.announcements())
            .anyMatch(
                a ->
                    Outbox.UNCLEAN_STOP.equals(a.get("reason").getAsString())
                        && a.get("fromSeq").getAsLong() <= 2
                        && a.get("toSeq").getAsLong() >= lost);
        // The lost seqs are never handed out again: the new message comes after all of them.
        for (long s = 2; s <= lost; s++) {
          assertThat(c.delivered(s)).as("seq %d reused", s).isFalse();
        }
        assertThat(lastSeq(again)).isGreaterThan(lost);
        c.assertEverySeqDeliveredOrAnnounced(lastSeq(again));
      } finally {
        again.close();
      }
    }
  }

  @Test
  void stoppingWithAReadOnlyStoreEndsTheWriterWithoutAnException() throws Exception {
    List<Throwable> uncaught = new ArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    try (SmallDisk disk = SmallDisk.ext4(tmp.resolve("disk"), tmp, 16)) {
      Outbox o = Outbox.open(tmp.resolve("disk/state"), "pi-1", limits(), Clock.systemUTC());
      o.appendTelemetry(telemetry(1, PAD));
      await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 1 && held(o) == 0);
      disk.failReadOnly();
      o.appendTelemetry(telemetry(2, PAD));
      o.putCommandResult("c-1", "{\"status\":\"succeeded\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> !o.writable());
      // A repeated command is still answered from memory while the store is read-only.
      assertThat(o.commandResult("c-1")).contains("{\"status\":\"succeeded\"}");
      long start = System.nanoTime();
      o.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      Thread.sleep(100);
      assertThat(uncaught).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }
}
