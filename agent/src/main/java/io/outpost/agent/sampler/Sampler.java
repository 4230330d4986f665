package io.outpost.agent.sampler;

import io.outpost.agent.profiles.SensorSetup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Schedules every sensor at a fixed rate against the clock (no drift: instant n is {@code start +
 * n·interval} however long reads take). One clock thread only triggers reads; each sensor reads on
 * its own thread, so a slow or failing sensor never delays another.
 */
public final class Sampler implements AutoCloseable {
  private final List<SensorRunner> runners = new ArrayList<>();
  private final ScheduledExecutorService clockThread;

  /**
   * @param sensors created sensors (not started; the first tick starts them)
   * @param out receives each record that passed report-by-exception, from sensor threads
   */
  public Sampler(List<SensorSetup.Configured> sensors, Clock clock, Consumer<SenmlRecord> out) {
    for (SensorSetup.Configured c : sensors) {
      runners.add(new SensorRunner(c, clock, out));
    }
    this.clockThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sampler-clock");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts every schedule. */
  public void start() {
    for (SensorRunner r : runners) {
      long period = r.spec().interval().toNanos();
      clockThread.scheduleAtFixedRate(
          () -> {
            try {
              r.tick();
            } catch (RuntimeException e) {
              org.tinylog.Logger.error(
                  "sampler tick for {} failed: {}", r.spec().name(), e.toString());
            }
          },
          0,
          period,
          TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Reads every sensor once now (for the {@code sample} command); failures become error entries.
   */
  public List<Object> sampleNow() {
    List<Object> out = new ArrayList<>();
    for (SensorRunner r : runners) {
      try {
        for (SenmlRecord rec : r.readDirect()) {
          out.add(toJava(rec));
        }
      } catch (Exception e) {
        out.add(Map.of("n", r.spec().name(), "error", String.valueOf(e.getMessage())));
      }
    }
    return out;
  }

  private static Object toJava(SenmlRecord rec) {
    // Kept as a Gson tree so times stay exact decimals (seconds with milliseconds).
    return rec.toJson(null, null);
  }

  /** The newest successful read of any sensor, or null when none has succeeded yet. */
  public Instant lastReadAt() {
    Instant best = null;
    for (SensorRunner r : runners) {
      Instant t = r.lastReadAt();
      if (t != null && (best == null || t.isAfter(best))) {
        best = t;
      }
    }
    return best;
  }

  /** Per-sensor status entries for the status message. */
  public List<Map<String, Object>> status() {
    return runners.stream().map(SensorRunner::status).toList();
  }

  /** The longest sensor interval (zero without sensors). */
  public java.time.Duration slowestInterval() {
    return runners.stream()
        .map(r -> r.spec().interval())
        .max(java.util.Comparator.naturalOrder())
        .orElse(java.time.Duration.ZERO);
  }

  public int size() {
    return runners.size();
  }

  /** The longest {@link #close()} waits for reads in progress to end, for all sensors together. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  /**
   * Stops every schedule and closes every sensor (outputs go to their safe state). Reads in
   * progress are interrupted first and get at most {@link #CLOSE_WAIT} in all to end, however many
   * are stuck.
   */
  @Override
  public void close() {
    clockThread.shutdownNow();
    runners.forEach(SensorRunner::stopReading);
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    runners.forEach(r -> r.close(deadline));
  }
}
