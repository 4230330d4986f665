package io.outpost.agent.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.agent.plugins.IsolatedSensor;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.profiles.SensorSpec;
import io.outpost.plugin.Options;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.FakeClock;
import io.outpost.plugin.testkit.TestSensorContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plugin's sensor runs under one supervisor, the {@link SensorRunner}: one thread, one deadline
 * and one backoff (the plugin's {@link IsolatedSensor.Limits}), and each failure counted once.
 * Ticks are driven by hand against a fake clock.
 */
@Timeout(30)
class PluginSensorSupervisionTest {
  private final FakeClock clock = new FakeClock();
  private final TestSensorContext ctx = TestSensorContext.builder("plug").clock(clock).build();
  private final IsolatedSensor.Limits limits =
      new IsolatedSensor.Limits(
          Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(8), 5, 3);
  private final List<SenmlRecord> out = new CopyOnWriteArrayList<>();
  private SensorRunner runner;

  @AfterEach
  void close() {
    if (runner != null) {
      runner.close(System.nanoTime() + Duration.ofSeconds(1).toNanos());
    }
  }

  private static SensorFactory factory(Function<SensorContext, Sensor> create) {
    return new SensorFactory() {
      @Override
      public String type() {
        return "test.plugin";
      }

      @Override
      public String description() {
        return "";
      }

      @Override
      public Sensor create(SensorContext c) {
        return create.apply(c);
      }
    };
  }

  private IsolatedSensor isolated(Sensor plugin) throws Exception {
    return IsolatedSensor.create(factory(c -> plugin), ctx, limits);
  }

  private SensorRunner run(IsolatedSensor sensor) {
    SensorSpec spec =
        new SensorSpec(
            "plug",
            "test.plugin",
            Duration.ofSeconds(1),
            0,
            Double.NaN,
            Duration.ZERO,
            Duration.ZERO,
            Duration.ofSeconds(30),
            Options.empty("plug"),
            Options.empty("plug"),
            "plug");
    runner =
        new SensorRunner(
            new SensorSetup.Configured(spec, sensor, new SensorSetup.EventSink()), clock, out::add);
    return runner;
  }

  /** One sampler tick, then wait for the read it started (if any) to end. */
  private void tick() {
    runner.tick();
    await().atMost(Duration.ofSeconds(5)).until(runner::idle);
  }

  private Map<String, Object> status() {
    return runner.status();
  }

  private List<Reading> one() {
    return List.of(Reading.number("v", null, 1, clock.instant()));
  }

  @Test
  void aThrowingSensorBacksOffExponentiallyAndRecoversWithEachFailureCountedOnce()
      throws Exception {
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger closes = new AtomicInteger();
    IsolatedSensor s =
        isolated(
            new Sensor() {
              @Override
              public List<Reading> read() {
                int n = reads.incrementAndGet();
                if (n <= 3) {
                  throw new IllegalStateException("bus error " + n);
                }
                return one();
              }

              @Override
              public void close() {
                closes.incrementAndGet();
              }
            });
    run(s);
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.NEW);

    tick();
    assertThat(status())
        .containsEntry("state", "failing")
        .containsEntry("lastError", "bus error 1");
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.FAILING);
    assertThat(s.health().retryAt()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(1));

    tick();
    tick();
    assertThat(reads).as("no attempt while backing off").hasValue(1);
    assertThat(status()).as("backing off is not a failure").containsEntry("failures", 1L);

    clock.advance(Duration.ofSeconds(1));
    tick();
    assertThat(closes).as("closed before it is started again").hasValue(1);
    assertThat(status()).containsEntry("lastError", "bus error 2");
    assertThat(s.health().retryAt()).isEqualTo(clock.instant().plusSeconds(2));
    clock.advance(Duration.ofMillis(1999));
    tick();
    assertThat(reads).hasValue(2);
    clock.advance(Duration.ofMillis(1));
    tick();
    assertThat(status()).containsEntry("lastError", "bus error 3");
    assertThat(s.health().retryAt()).isEqualTo(clock.instant().plusSeconds(4));
    assertThat(s.health().consecutiveFailures()).isEqualTo(3);

    clock.advance(Duration.ofSeconds(4));
    tick();
    assertThat(out).hasSize(1);
    assertThat(status()).containsEntry("state", "ok").containsEntry("failures", 3L);
    assertThat(s.health())
        .extracting(IsolatedSensor.Health::state, IsolatedSensor.Health::consecutiveFailures)
        .containsExactly(IsolatedSensor.State.OK, 0);
  }

  @Test
  void theBackoffStopsAtThePluginsMaximum() throws Exception {
    IsolatedSensor s =
        isolated(
            () -> {
              throw new IOException("gone");
            });
    run(s);
    for (int i = 0; i < 6; i++) {
      tick();
      clock.advance(Duration.ofMinutes(10));
    }
    tick();
    assertThat(s.health().retryAt()).isEqualTo(clock.instant().plusSeconds(8));
    assertThat(status()).containsEntry("failures", 7L);
  }

  @Test
  void aHangingSensorIsAbandonedAfterTheCallTimeoutOnItsOneThread() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    IsolatedSensor s =
        isolated(
            () -> {
              if (calls.incrementAndGet() == 1) {
                // Ignores interruption, like a native call stuck on a bus: only the latch frees it.
                while (true) {
                  try {
                    if (release.await(10, TimeUnit.SECONDS)) {
                      break;
                    }
                  } catch (InterruptedException ignored) {
                    // keep waiting
                  }
                }
              }
              return one();
            });
    run(s);
    runner.tick();
    await().until(() -> calls.get() == 1);
    assertThat(pluginThreads()).as("the runner's thread only").containsExactly("sensor-plug");

    clock.advance(Duration.ofMillis(301));
    runner.tick();
    assertThat(status())
        .containsEntry("state", "failing")
        .containsEntry("lastError", "read took longer than 300ms")
        .containsEntry("failures", 1L);
    assertThat(s.health().state()).isEqualTo(IsolatedSensor.State.HUNG);

    clock.advance(Duration.ofSeconds(1));
    tick();
    assertThat(out).as("a fresh thread serves the next attempt").hasSize(1);
    assertThat(status()).containsEntry("state", "ok");
    release.countDown();
  }

  @Test
  void aFailingStartIsRetriedWithBackoffToo() throws Exception {
    AtomicInteger starts = new AtomicInteger();
    IsolatedSensor s =
        isolated(
            new Sensor() {
              @Override
              public void start() throws IOException {
                if (starts.incrementAndGet() == 1) {
                  throw new IOException("no device at 0x62");
                }
              }

              @Override
              public List<Reading> read() {
                return List.of(Reading.number("co2", "ppm", 415, clock.instant()));
              }
            });
    run(s);
    tick();
    assertThat(status()).containsEntry("lastError", "no device at 0x62");
    clock.advance(Duration.ofSeconds(1));
    tick();
    assertThat(out).hasSize(1);
    assertThat(starts).hasValue(2);
  }

  private static List<String> pluginThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.endsWith("plug"))
        .filter(n -> n.startsWith("sensor-") || n.startsWith("plugin-sensor-"))
        .toList();
  }
}
