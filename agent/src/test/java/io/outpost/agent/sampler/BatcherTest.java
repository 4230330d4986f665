package io.outpost.agent.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class BatcherTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<List<SenmlRecord>> batches = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private static SenmlRecord rec(int i) {
    return new SenmlRecord(
        "ctr/count", null, (double) i, null, null, Instant.ofEpochMilli(1_000_000L + i));
  }

  @Test
  void theDelayCountsFromTheInstantTheReadingWasDueAtNotFromItsArrival() {
    List<Long> delays = new CopyOnWriteArrayList<>();
    ScheduledThreadPoolExecutor recording =
        new ScheduledThreadPoolExecutor(1) {
          @Override
          public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(unit.toMillis(delay));
            return super.schedule(command, delay, unit);
          }
        };
    try {
      // The reading was due 300 ms before it reached the batcher (a slow read, say).
      Batcher late =
          new Batcher(
              100,
              Duration.ofSeconds(1),
              65_536,
              recording,
              batches::add,
              () -> System.nanoTime() - Duration.ofMillis(300).toNanos());
      late.add(rec(1));
      // Without a due instant, or one in time: the whole delay.
      Batcher onTime = new Batcher(100, Duration.ofSeconds(1), 65_536, recording, batches::add);
      onTime.add(rec(2));
      assertThat(delays).hasSize(2);
      assertThat(delays.get(0)).isBetween(690L, 700L);
      assertThat(delays.get(1)).isBetween(990L, 1000L);
    } finally {
      recording.shutdownNow();
    }
  }

  @Test
  void aBatchIsCutAtMaxRecords() {
    Batcher b = new Batcher(3, Duration.ofHours(1), 65_536, scheduler, batches::add);
    for (int i = 0; i < 7; i++) {
      b.add(rec(i));
    }
    assertThat(batches).extracting(List::size).containsExactly(3, 3);
    b.flush();
    assertThat(batches).extracting(List::size).containsExactly(3, 3, 1);
  }

  @Test
  void aBatchIsCutBeforeItWouldExceedTheServersMessageSize() {
    int perRecord = rec(0).estimatedBytes();
    Batcher b =
        new Batcher(
            10_000,
            Duration.ofHours(1),
            Batcher.ENVELOPE_BYTES + 512 + perRecord,
            scheduler,
            batches::add);
    int fits = (512 + perRecord) / perRecord;
    for (int i = 0; i < fits * 3; i++) {
      b.add(rec(i));
    }
    assertThat(batches).hasSize(2).allSatisfy(x -> assertThat(x).hasSize(fits));
  }

  @Test
  void aPartialBatchLeavesAfterMaxDelay() {
    Batcher b = new Batcher(100, Duration.ofMillis(100), 65_536, scheduler, batches::add);
    b.add(rec(1));
    b.add(rec(2));
    await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 1);
    assertThat(batches.get(0)).extracting(SenmlRecord::value).containsExactly(1.0, 2.0);
  }
}
