package io.outpost.agent.sampler;

import io.outpost.agent.internal.Backoff;
import io.outpost.agent.plugins.IsolatedSensor;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.profiles.SensorSpec;
import io.outpost.log.Logger;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * The one supervisor of one sensor: reads it when the sampler ticks, never two reads at once; a
 * start or read that exceeds the deadline is interrupted, abandoned (its thread is replaced) and
 * counted as a failure, and a failing sensor is restarted ({@code close} then {@code start}) with
 * the agent's {@link Backoff} while the others carry on.
 *
 * <p>Where a read runs: a runner made for the {@link Sampler} hands each read back to the caller,
 * which runs it on the sampler's shared thread (reads take microseconds; a thread per sensor was a
 * wake-up per reading). When the sampler's watchdog finds a read holding that thread up, it calls
 * {@link #moveOff()}: the read goes on where it is, under the deadline as usual, and from then on
 * the sensor reads on a thread of its own ({@code sensor-<name>}), as a runner made without a
 * sampler always does.
 *
 * <p>Deadline and backoff: {@code readTimeout} and 1 s doubling to 60 s for built-in sensors; a
 * plugin's sensor ({@link IsolatedSensor}) brings its own {@link IsolatedSensor.Limits} (by default
 * 10 s, capped by {@code readTimeout}, and 1 s doubling to 5 min). Plugin sensors get no second
 * thread, timer or backoff of their own.
 */
final class SensorRunner {
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  private final SensorSpec spec;
  private final Sensor sensor;
  private final Clock clock;
  private final Reporter reporter;
  private final Consumer<SenmlRecord> out;
  private final Duration deadline;
  private final Backoff backoff;

  /** Runs a read on the sampler's shared thread; null when this runner always has its own. */
  private final Consumer<FutureTask<?>> shared;

  private volatile boolean ownThread;
  private ExecutorService worker;
  private Future<?> running;
  private Instant runningSince;
  private boolean needsStart = true;
  private boolean started;
  private Instant nextAttempt = Instant.MIN;

  private volatile String state = "starting";
  private volatile String lastError;
  private volatile Instant lastReadAt;
  private volatile long reads;
  private volatile long failures;
  private volatile long overruns;

  /** A runner that reads on a thread of its own. */
  SensorRunner(SensorSetup.Configured c, Clock clock, Consumer<SenmlRecord> out) {
    this(c, clock, out, null);
  }

  /**
   * @param shared runs a read on the sampler's shared thread, under its watchdog (for {@link
   *     #readDirect()}); null: this runner reads on a thread of its own
   */
  SensorRunner(
      SensorSetup.Configured c,
      Clock clock,
      Consumer<SenmlRecord> out,
      Consumer<FutureTask<?>> shared) {
    this.shared = shared;
    this.ownThread = shared == null;
    this.spec = c.spec();
    this.sensor = c.sensor();
    this.clock = clock;
    this.reporter = new Reporter(spec);
    this.out = out;
    if (sensor instanceof IsolatedSensor plugin) {
      IsolatedSensor.Limits limits = plugin.limits();
      this.deadline = min(limits.callTimeout(), spec.readTimeout());
      this.backoff = limits.backoff();
    } else {
      this.deadline = spec.readTimeout();
      this.backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
    }
    c.events().connect(r -> emit(List.of(r), true));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  SensorSpec spec() {
    return spec;
  }

  /** The sensor's own thread, started on first use. */
  private ExecutorService worker() {
    if (worker == null) {
      worker = newWorker();
    }
    return worker;
  }

  private ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "sensor-" + spec.name());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Called at every scheduled instant; never blocks. Returns the read to run now on the caller's
   * (the sampler's shared) thread, or null: nothing due (a read still running, the backoff), or the
   * read was handed to the sensor's own thread.
   */
  synchronized FutureTask<?> tick() {
    Instant now = clock.instant();
    if (running != null && !running.isDone()) {
      if (Duration.between(runningSince, now).compareTo(deadline) > 0) {
        running.cancel(true);
        // The stuck thread may never come back; reads continue on a fresh one after the backoff.
        if (worker != null) {
          worker.shutdownNow();
          worker = null;
        }
        running = null;
        String message = "read took longer than " + deadline.toMillis() + "ms";
        if (sensor instanceof IsolatedSensor plugin) {
          plugin.timedOut(message);
        }
        failed(new java.util.concurrent.TimeoutException(message));
      } else {
        overruns++;
      }
      return null;
    }
    if (now.isBefore(nextAttempt)) {
      return null;
    }
    runningSince = now;
    if (ownThread) {
      running = worker().submit(this::readOnce);
      return null;
    }
    FutureTask<?> read = new FutureTask<>(this::readOnce, null);
    running = read;
    return read;
  }

  /**
   * The sampler's watchdog found a read of this sensor holding its shared thread up: that read goes
   * on where it is (its deadline still applies at the next ticks), and later reads run on a thread
   * of the sensor's own. Not a failure by itself.
   */
  void moveOff() {
    ownThread = true;
  }

  /** The longest a read may take before it counts as failed. */
  Duration deadline() {
    return deadline;
  }

  /** True when no read is running (for tests that tick by hand). */
  synchronized boolean idle() {
    return running == null || running.isDone();
  }

  private void readOnce() {
    try {
      startIfNeeded();
      List<Reading> readings = sensor.read();
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
      synchronized (this) {
        reads++;
        backoff.reset();
        lastReadAt = clock.instant();
        if (!"ok".equals(state)) {
          if (lastError != null) {
            Logger.info("sensor {} recovered", spec.name());
          }
          state = "ok";
        }
      }
      emit(readings, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception | LinkageError e) {
      synchronized (this) {
        failed(e);
      }
    }
  }

  /** On the sensor's thread: (re)starts the sensor before the first read and after a failure. */
  private void startIfNeeded() throws Exception {
    if (needsStart) {
      if (started) {
        closeQuietly();
      }
      sensor.start();
      started = true;
      needsStart = false;
    }
  }

  private void emit(List<Reading> readings, boolean event) {
    for (Reading r : readings) {
      SenmlRecord rec = SenmlRecord.of(spec.name(), r);
      boolean report;
      synchronized (reporter) {
        report = event || reporter.offer(rec);
      }
      if (report) {
        out.accept(rec);
      }
    }
  }

  private void failed(Throwable e) {
    failures++;
    needsStart = true;
    Duration wait = backoff.fail();
    nextAttempt = clock.instant().plus(wait);
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (backoff.failures() == 1 || !msg.equals(lastError)) {
      Logger.warn(
          "sensor {} ({}) failed: {}; retrying in {} ms",
          spec.name(),
          spec.type(),
          msg,
          wait.toMillis());
    }
    lastError = msg;
    state = "failing";
  }

  /**
   * Reads once now, bypassing report-by-exception (for the {@code sample} command). Runs where the
   * scheduled reads run, so it never overlaps one; waits at most {@code readTimeout}.
   */
  List<SenmlRecord> readDirect() throws Exception {
    FutureTask<List<SenmlRecord>> f =
        new FutureTask<>(
            () -> {
              startIfNeeded();
              return sensor.read().stream().map(r -> SenmlRecord.of(spec.name(), r)).toList();
            });
    synchronized (this) {
      if (ownThread) {
        worker().execute(f);
      } else {
        shared.accept(f);
      }
    }
    try {
      return f.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } catch (java.util.concurrent.TimeoutException e) {
      f.cancel(true);
      throw new java.util.concurrent.TimeoutException(
          "read took longer than " + deadline.toMillis() + "ms");
    }
  }

  private void closeQuietly() {
    try {
      sensor.close();
    } catch (Exception e) {
      Logger.debug("sensor {}: close failed: {}", spec.name(), e.toString());
    }
  }

  /**
   * Stops reading on the sensor's own thread, if it has one: no new read starts, a read in progress
   * is interrupted. Does not wait. (Reads on the sampler's thread stop with that thread.)
   */
  void stopReading() {
    ExecutorService w = currentWorker();
    if (w != null) {
      w.shutdownNow();
    }
  }

  /**
   * Stops reading and closes the sensor (an output goes to its safe state). A read or start still
   * running on the sensor's own thread may end first, for up to {@code readTimeout} but not past
   * {@code deadlineNanos} ({@link System#nanoTime()}), so it cannot claim the hardware again after
   * the close. (The sampler waits for its shared thread the same way before it calls this.)
   */
  void close(long deadlineNanos) {
    ExecutorService w = currentWorker();
    if (w != null) {
      w.shutdownNow();
      try {
        long wait = Math.min(spec.readTimeout().toNanos(), deadlineNanos - System.nanoTime());
        if (!w.awaitTermination(Math.max(0, wait), java.util.concurrent.TimeUnit.NANOSECONDS)) {
          Logger.warn("sensor {}: a read is still running; closing the sensor anyway", spec.name());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly();
  }

  private synchronized ExecutorService currentWorker() {
    return worker;
  }

  Instant lastReadAt() {
    return lastReadAt;
  }

  Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", spec.name());
    m.put("type", spec.type());
    m.put("state", state);
    m.put("reads", reads);
    m.put("failures", failures);
    m.put("overruns", overruns);
    if (lastReadAt != null) {
      m.put("lastReadAt", io.outpost.agent.internal.IsoInstant.format(lastReadAt));
    }
    if (lastError != null) {
      m.put("lastError", lastError);
    }
    return m;
  }
}
