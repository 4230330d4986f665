package io.outpost.agent.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.profiles.SensorSpec;
import io.outpost.plugin.Options;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SamplerTest {
  private final List<SenmlRecord> out = new CopyOnWriteArrayList<>();
  private final CountDownLatch never = new CountDownLatch(1);
  private Sampler sampler;

  @AfterEach
  void stop() {
    never.countDown();
    if (sampler != null) {
      sampler.close();
    }
  }

  private static SensorSetup.Configured sensor(
      String name, Duration interval, Duration timeout, Sensor s) {
    SensorSpec spec =
        new SensorSpec(
            name,
            "test",
            interval,
            0,
            Double.NaN,
            Duration.ZERO,
            Duration.ZERO,
            timeout,
            Options.empty(name),
            Options.empty(name),
            name);
    return new SensorSetup.Configured(spec, s, new SensorSetup.EventSink());
  }

  /** Starts a sampler over {@code sensors} whose records go to {@link #out}. */
  private void start(SensorSetup.Configured... sensors) {
    sampler = new Sampler(List.of(sensors), Clock.systemUTC(), out::add);
    sampler.start();
  }

  private long count(String name) {
    return out.stream().filter(r -> r.name().startsWith(name + "/")).count();
  }

  private Map<String, Object> status(String name) {
    return sampler.status().stream()
        .filter(m -> name.equals(m.get("name")))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void insideATickDueNanosIsTheTicksScheduledInstant() {
    List<Long> dues = new CopyOnWriteArrayList<>();
    Sampler[] self = new Sampler[1];
    Sensor slow =
        () -> {
          Thread.sleep(3); // arrives a few ms after its instant
          return List.of(Reading.number("v", null, 1, Clock.systemUTC().instant()));
        };
    sampler =
        new Sampler(
            List.of(sensor("s", Duration.ofMillis(50), Duration.ofSeconds(1), slow)),
            Clock.systemUTC(),
            r -> dues.add(self[0].dueNanos()));
    self[0] = sampler;
    sampler.start();
    await().until(() -> dues.size() >= 4);
    long period = Duration.ofMillis(50).toNanos();
    for (int i = 1; i < 4; i++) {
      long step = dues.get(i) - dues.get(i - 1);
      assertThat(step % period).as("tick %d lies on the sensor's grid", i).isZero();
    }
    // Elsewhere it is simply now.
    long before = System.nanoTime();
    assertThat(sampler.dueNanos()).isBetween(before, System.nanoTime());
  }

  @Test
  void aHangingSensorNeitherDelaysTheOthersNorHangsTheAgent() {
    AtomicInteger n = new AtomicInteger();
    Sensor fast =
        () ->
            List.of(
                Reading.number("count", null, n.incrementAndGet(), Clock.systemUTC().instant()));
    Sensor stuck =
        () -> {
          never.await();
          return List.of();
        };
    start(
        sensor("fast", Duration.ofMillis(20), Duration.ofSeconds(1), fast),
        sensor("stuck", Duration.ofMillis(20), Duration.ofMillis(200), stuck));
    await().atMost(Duration.ofSeconds(10)).until(() -> count("fast") >= 20);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "failing".equals(status("stuck").get("state")));
    assertThat((String) status("stuck").get("lastError")).isEqualTo("read took longer than 200ms");
    assertThat(status("fast").get("state")).isEqualTo("ok");
    // Values arrive in order: one read at a time per sensor.
    List<Double> values =
        out.stream().filter(r -> r.name().equals("fast/count")).map(SenmlRecord::value).toList();
    assertThat(values).isSorted();
  }

  @Test
  void sensorsDueTogetherAreReadOnOneSharedThread() {
    Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
    start(
        sensor("a", Duration.ofMillis(50), Duration.ofSeconds(1), reading(threads, "a")),
        sensor("b", Duration.ofMillis(50), Duration.ofSeconds(1), reading(threads, "b")),
        sensor("c", Duration.ofMillis(100), Duration.ofSeconds(1), reading(threads, "c")));
    await().atMost(Duration.ofSeconds(10)).until(() -> count("c") >= 3);
    assertThat(threads)
        .containsOnly(
            Map.entry("a", "sampler"), Map.entry("b", "sampler"), Map.entry("c", "sampler"));
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .noneMatch(n -> n.startsWith("sensor-"));
  }

  @Test
  void aSlowReadIsMovedOffTheSharedThreadWithoutCountingAsAFailure() {
    Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger slowReads = new AtomicInteger();
    Sensor slow =
        () -> {
          threads.put("slow#" + slowReads.incrementAndGet(), Thread.currentThread().getName());
          if (slowReads.get() == 1) {
            // Slower than the move-off limit (half the 1 s deadline), within the deadline.
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(700).toNanos());
          }
          return List.of(Reading.number("v", null, slowReads.get(), Clock.systemUTC().instant()));
        };
    AtomicInteger n = new AtomicInteger();
    Sensor fast =
        () -> List.of(Reading.number("n", null, n.incrementAndGet(), Clock.systemUTC().instant()));
    start(
        sensor("slow", Duration.ofMillis(50), Duration.ofSeconds(1), slow),
        sensor("fast", Duration.ofMillis(20), Duration.ofSeconds(1), fast));
    await().atMost(Duration.ofSeconds(10)).until(() -> count("slow") >= 3);
    // The fast sensor went on while the slow read ran (after at most the move-off limit).
    await().atMost(Duration.ofSeconds(10)).until(() -> count("fast") >= 30);
    assertThat(threads).containsEntry("slow#1", "sampler").containsEntry("slow#2", "sensor-slow");
    assertThat(status("slow")).containsEntry("state", "ok").containsEntry("failures", 0L);
    assertThat(status("fast")).containsEntry("failures", 0L);
  }

  private static Sensor reading(Map<String, String> threads, String name) {
    return () -> {
      threads.put(name, Thread.currentThread().getName());
      return List.of(Reading.number("v", null, 1, Clock.systemUTC().instant()));
    };
  }

  @Test
  void closeLetsAReadInProgressEndBeforeItClosesTheSensor() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch reading = new CountDownLatch(1);
    Sensor relay =
        new Sensor() {
          @Override
          public List<Reading> read() {
            reading.countDown();
            try {
              never.await();
            } catch (InterruptedException e) {
              // Like a driver finishing its bus transaction before it gives up.
              java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
              events.add("read ended");
            }
            return List.of();
          }

          @Override
          public void close() {
            events.add("closed");
          }
        };
    sampler =
        new Sampler(
            List.of(sensor("relay", Duration.ofSeconds(10), Duration.ofSeconds(1), relay)),
            Clock.systemUTC(),
            out::add);
    sampler.start();
    assertThat(reading.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    sampler.close();
    // Closed after the read: a close racing a read (or a start) could leave an output claimed.
    assertThat(events).containsExactly("read ended", "closed");
  }

  @Test
  void stuckReadsDelayCloseByTheCloseWaitInAllNotPerSensor() throws Exception {
    CountDownLatch allReading = new CountDownLatch(3);
    Sensor deaf =
        () -> {
          allReading.countDown();
          // A read that ignores interrupts, like a blocked native call.
          while (never.getCount() > 0) {
            try {
              never.await();
            } catch (InterruptedException ignored) {
              // keep waiting
            }
          }
          return List.of();
        };
    start(
        sensor("a", Duration.ofSeconds(10), Duration.ofSeconds(5), deaf),
        sensor("b", Duration.ofSeconds(10), Duration.ofSeconds(5), deaf),
        sensor("c", Duration.ofSeconds(10), Duration.ofSeconds(5), deaf));
    assertThat(allReading.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    long t0 = System.nanoTime();
    sampler.close();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took)
        .isGreaterThanOrEqualTo(Sampler.CLOSE_WAIT.minusMillis(50))
        .isLessThan(Sampler.CLOSE_WAIT.multipliedBy(2));
  }

  @Test
  void aFailingSensorIsRestartedWithBackoffAndRecovers() {
    AtomicInteger starts = new AtomicInteger();
    AtomicInteger closes = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    Sensor flaky =
        new Sensor() {
          @Override
          public void start() {
            starts.incrementAndGet();
          }

          @Override
          public List<Reading> read() throws Exception {
            if (reads.incrementAndGet() <= 2) {
              throw new java.io.IOException("i2c bus 1: no ACK from 0x76");
            }
            return List.of(Reading.number("t", "Cel", 21.5, Clock.systemUTC().instant()));
          }

          @Override
          public void close() {
            closes.incrementAndGet();
          }
        };
    sampler =
        new Sampler(
            List.of(sensor("env", Duration.ofMillis(50), Duration.ofSeconds(1), flaky)),
            Clock.systemUTC(),
            out::add);
    sampler.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> "failing".equals(status("env").get("state")));
    assertThat(status("env").get("lastError")).isEqualTo("i2c bus 1: no ACK from 0x76");
    // First retry after 1 s, the second after 2 s more.
    await().atMost(Duration.ofSeconds(15)).until(() -> count("env") >= 1);
    assertThat(status("env").get("state")).isEqualTo("ok");
    assertThat(starts.get()).isEqualTo(3);
    assertThat(closes.get()).isEqualTo(2);
    assertThat(status("env").get("failures")).isEqualTo(2L);
  }

  @Test
  void sampleNowReadsEverySensorOnceAndReportsFailuresAsEntries() {
    Sensor ok = () -> List.of(Reading.number("v", null, 1, Clock.systemUTC().instant()));
    Sensor bad =
        () -> {
          throw new IllegalStateException("CRC mismatch");
        };
    sampler =
        new Sampler(
            List.of(
                sensor("a", Duration.ofHours(1), Duration.ofSeconds(1), ok),
                sensor("b", Duration.ofHours(1), Duration.ofSeconds(1), bad)),
            Clock.systemUTC(),
            out::add);
    List<Object> records = sampler.sampleNow();
    assertThat(records).hasSize(2);
    assertThat(records.get(0).toString()).contains("\"n\":\"a/v\"").contains("\"v\":1");
    assertThat(records.get(1)).isEqualTo(Map.of("n", "b", "error", "CRC mismatch"));
  }

  @Test
  void sensorsWithOneIntervalShareOneInstant() {
    start(
        sensor("a", Duration.ofSeconds(1), Duration.ofSeconds(1), reading(new HashMap<>(), "a")),
        sensor("b", Duration.ofSeconds(1), Duration.ofSeconds(1), reading(new HashMap<>(), "b")),
        sensor("c", Duration.ofSeconds(1), Duration.ofSeconds(1), reading(new HashMap<>(), "c")));
    // Within microseconds of the common start, so one wake-up of the sampler's thread reads all
    // three: a read takes longer than that.
    assertThat(sampler.latestOffsetNanos()).isLessThan(Duration.ofMillis(1).toNanos());
  }

  /** A timer that notes when each task given to {@code schedule} was due, and when it was given. */
  private static final class RecordingTimer extends ScheduledThreadPoolExecutor {
    final List<long[]> scheduled = new CopyOnWriteArrayList<>();

    RecordingTimer() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      long now = System.nanoTime();
      scheduled.add(new long[] {now, now + unit.toNanos(delay)});
      return super.schedule(task, delay, unit);
    }
  }

  @Test
  void theWatchdogLooksOnlyOnTheAlignedInstantsNeverLaterThanTheDeadline() {
    RecordingTimer timer = new RecordingTimer();
    try {
      long origin = System.nanoTime();
      // Instants at least once per 1 s deadline, though not once per half of it: every look rides
      // on one, within the deadline (looking every half deadline, some would not).
      long period = Duration.ofMillis(800).toNanos();
      long checkEvery = Duration.ofSeconds(1).toNanos();
      sampler =
          new Sampler(
              List.of(
                  sensor(
                      "a",
                      Duration.ofMillis(50),
                      Duration.ofSeconds(1),
                      reading(new HashMap<>(), "a"))),
              Clock.systemUTC(),
              out::add,
              timer);
      sampler.alignWatchdog(origin, period);
      sampler.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> timer.scheduled.size() >= 5);
      for (long[] s : timer.scheduled) {
        assertThat(s[1] - s[0]).as("looks within the check period").isLessThanOrEqualTo(checkEvery);
        if (s[1] - s[0] <= Sampler.SLOW.toNanos()) {
          continue; // a second look at a read that had just started when the watchdog came
        }
        // An instant of the grid: every window of 1 s holds one of 800 ms.
        long off = Math.floorMod(s[1] - origin, period);
        assertThat(Math.min(off, period - off)).isLessThan(Duration.ofMillis(1).toNanos());
      }
    } finally {
      sampler.close();
      sampler = null;
      timer.shutdownNow();
    }
  }

  @Test
  void aHungReadIsMovedOffWithinItsDeadlineWhenTheAlignedInstantsComeThatOften() {
    // Instants every 800 ms, within the 1 s deadline: looks on those only, within the deadline
    // plus a look after the slow limit, and scheduling slack.
    long tookNanos = hungReadHoldsTheOthersUp(Duration.ofMillis(800));
    assertThat(tookNanos).isLessThan(Duration.ofMillis(2500).toNanos());
  }

  @Test
  void aHungReadIsMovedOffWithinHalfItsDeadlineWhenTheWatchdogIsAligned() {
    // A grid far coarser than the deadline: the watchdog keeps its own 500 ms, half of it, plus a
    // look after the slow limit (550 ms), and scheduling slack on a busy machine; a check waiting
    // for the 60 s grid would take far longer.
    long tookNanos = hungReadHoldsTheOthersUp(Duration.ofSeconds(60));
    assertThat(tookNanos).isLessThan(Duration.ofSeconds(2).toNanos());
  }

  /**
   * Two sensors at 20 ms with a 1 s deadline on a watchdog aligned to instants {@code alignPeriod}
   * apart; the first read of one never returns. How long the other waited for a fresh thread to
   * take over (until it was read three more times).
   */
  private long hungReadHoldsTheOthersUp(Duration alignPeriod) {
    RecordingTimer timer = new RecordingTimer();
    try {
      Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
      AtomicInteger n = new AtomicInteger();
      Sensor fast =
          () ->
              List.of(Reading.number("n", null, n.incrementAndGet(), Clock.systemUTC().instant()));
      Sensor hangsOnce =
          () -> {
            if (threads.putIfAbsent("hung", Thread.currentThread().getName()) == null) {
              never.await();
            }
            return List.of(Reading.number("v", null, 1, Clock.systemUTC().instant()));
          };
      sampler =
          new Sampler(
              List.of(
                  sensor("fast", Duration.ofMillis(20), Duration.ofSeconds(1), fast),
                  sensor("hang", Duration.ofMillis(20), Duration.ofSeconds(1), hangsOnce)),
              Clock.systemUTC(),
              out::add,
              timer);
      sampler.alignWatchdog(System.nanoTime(), alignPeriod.toNanos());
      sampler.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> threads.containsKey("hung"));
      long hungAt = System.nanoTime();
      int before = n.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> n.get() > before + 2);
      long took = System.nanoTime() - hungAt;
      assertThat(threads.get("hung")).isEqualTo("sampler");
      return took;
    } finally {
      never.countDown();
      sampler.close();
      sampler = null;
      timer.shutdownNow();
    }
  }
}
