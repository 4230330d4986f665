package io.outpost.agent.sampler;

import io.outpost.agent.internal.DueInstant;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.log.Logger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Schedules every sensor at a fixed rate against the clock (no drift: instant n is {@code start +
 * n·interval} however long reads take; all sensors share the same start, so sensors with the same
 * interval are due together) and reads them on one shared thread, {@code sampler}: most reads take
 * microseconds, and sensors due together cost one wake-up, where a thread per sensor cost one each.
 *
 * <p>A slow or hung sensor must not hold the others up for long. A watchdog (on the timer given,
 * else on a thread of the sampler's own) looks at the shared thread at most {@link #checkEvery}
 * after a read started: a read that is still running and has run for {@link #SLOW} or more goes on
 * where it is, under its deadline as before, a fresh thread takes over the schedule, and the sensor
 * reads on a thread of its own from then on (see {@link SensorRunner}). The watchdog runs once per
 * check period while reads happen, not once per read, and not at all while none do. Given the
 * instants of its timer's other periodic work ({@link #alignWatchdog}: the agent's status file), it
 * looks only on those when they come at least once per read deadline, so that no check costs the
 * timer a wake-up of its own, and a hung read holds the others up for at most its deadline, once;
 * otherwise it looks every half deadline (on one of those instants when one comes in time), and a
 * hung read holds the others up for at most half its deadline. A sensor that is merely slow (a
 * one-wire conversion of 750 ms) moves to its own thread the first time the watchdog catches it
 * reading.
 */
public final class Sampler implements AutoCloseable {
  /** A read running this long when the watchdog looks moves off the shared thread. */
  static final Duration SLOW = Duration.ofMillis(50);

  /** When sensors start: a moment shortly after {@link #start()}, the same for all. */
  private static final long START_DELAY_NANOS = Duration.ofMillis(20).toNanos();

  private final List<SensorRunner> runners = new ArrayList<>();
  private final ScheduledThreadPoolExecutor shared;
  private final ScheduledExecutorService watchdogTimer;
  private final boolean ownsWatchdogTimer;
  private final Map<SensorRunner, ScheduledFuture<?>> schedules = new ConcurrentHashMap<>();

  /**
   * Each runner's periodic task, made before {@link #start()}: the executor takes its own clock
   * reading for an instant after the delay was computed, so anything slow in between (the first
   * evaluation of a lambda links it: milliseconds on a cold JVM) moved that sensor's instants later
   * than the others'. The sampler then woke twice a second, once for the sensors on time and once
   * for the late one, whenever the first reads took less than that gap.
   */
  private final Map<SensorRunner, Runnable> ticks = new java.util.HashMap<>();

  private final AtomicReference<Inline> current = new AtomicReference<>();
  private final AtomicBoolean watchdogArmed = new AtomicBoolean();

  /** Reads started since the watchdog last looked, and the check period of the latest one. */
  private final java.util.concurrent.atomic.AtomicLong readsSinceCheck =
      new java.util.concurrent.atomic.AtomicLong();

  private volatile long lastCheckEvery;

  /** The instants the watchdog's checks snap to (see {@link #alignWatchdog}); period 0: none. */
  private volatile long alignOriginNanos;

  private volatile long alignPeriodNanos;
  private long startNanos;

  /**
   * {@link #startNanos} moved just past the latest sensor's first instant: each schedule's instants
   * lie a few microseconds after the common start (the executor adds its own clock reading to the
   * delay given), and work due at an instant must not come before any sensor due then.
   */
  private volatile long gridNanos;

  /** How far past the latest sensor's instant {@link #gridNanos} lies. */
  private static final long GRID_MARGIN_NANOS = 2_000;

  /**
   * The thread running a tick now, and the instant that tick was due at (see {@link #dueNanos}).
   */
  private volatile Thread tickThread;

  private volatile long tickDue;

  /** A read running on the shared thread. */
  private record Inline(SensorRunner runner, FutureTask<?> read, Thread thread, long since) {}

  /**
   * With a watchdog thread of its own (for {@code outpost sample} and tests).
   *
   * @param sensors created sensors (not started; the first tick starts them)
   * @param out receives each record that passed report-by-exception, from the sampler's threads
   */
  public Sampler(List<SensorSetup.Configured> sensors, Clock clock, Consumer<SenmlRecord> out) {
    this(sensors, clock, out, null);
  }

  /**
   * @param watchdogTimer runs the watchdog (the agent's timer: it wakes only while a read runs);
   *     null: a daemon thread of the sampler's own
   */
  public Sampler(
      List<SensorSetup.Configured> sensors,
      Clock clock,
      Consumer<SenmlRecord> out,
      ScheduledExecutorService watchdogTimer) {
    for (SensorSetup.Configured c : sensors) {
      SensorRunner[] self = new SensorRunner[1];
      self[0] = new SensorRunner(c, clock, out, read -> runOnSharedThread(self[0], read));
      runners.add(self[0]);
      ticks.put(self[0], () -> tick(self[0]));
    }
    this.shared = new ScheduledThreadPoolExecutor(1, daemon("sampler"));
    this.shared.setRemoveOnCancelPolicy(true);
    this.ownsWatchdogTimer = watchdogTimer == null;
    this.watchdogTimer =
        watchdogTimer != null
            ? watchdogTimer
            : new ScheduledThreadPoolExecutor(1, daemon("sampler-watchdog"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * The sampler's shared thread as a scheduler, for work that belongs with the readings (the
   * batcher's flush): a task due together with reads costs no wake-up of its own. Tasks must not
   * block. Shut down by {@link #close()}.
   */
  public ScheduledExecutorService scheduler() {
    return shared;
  }

  /** Starts every schedule. */
  public void start() {
    startNanos = System.nanoTime() + START_DELAY_NANOS;
    for (SensorRunner r : runners) {
      // One instant for all (a delay computed once would drift by the time scheduling takes).
      schedule(r, startNanos);
    }
    updateGrid();
  }

  /** Places {@link #gridNanos} just after the latest of the schedules' instants. */
  private void updateGrid() {
    gridNanos = startNanos + latestOffsetNanos() + GRID_MARGIN_NANOS;
  }

  /**
   * How far after the common start the latest schedule's instants lie (each schedule's instants lie
   * a few microseconds after it: the executor adds its own clock reading to the delay given).
   */
  long latestOffsetNanos() {
    long latest = 0;
    for (SensorRunner r : runners) {
      ScheduledFuture<?> f = schedules.get(r);
      if (f != null) {
        long first = DueInstant.notBefore(f);
        long period = r.spec().interval().toNanos();
        // Its offset from the start's grid (a rescheduled sensor's next instant is periods
        // later; the reading above comes out late by a clock reading's distance, never early).
        long offset = Math.floorMod(first - startNanos + period / 2, period) - period / 2;
        latest = Math.max(latest, offset);
      }
    }
    return latest;
  }

  /**
   * Schedules {@code r} with its first instant at {@code firstNanos} ({@link System#nanoTime()}).
   */
  private void schedule(SensorRunner r, long firstNanos) {
    Runnable task = ticks.get(r);
    long period = r.spec().interval().toNanos();
    // The delay computed in the call itself: nothing runs between this clock reading and the
    // executor's.
    schedules.put(
        r,
        shared.scheduleAtFixedRate(
            task, firstNanos - System.nanoTime(), period, TimeUnit.NANOSECONDS));
  }

  /** On a shared thread: the runner's tick, and its read if it runs here. */
  private void tick(SensorRunner r) {
    Thread self = Thread.currentThread();
    long period = r.spec().interval().toNanos();
    tickDue = gridNanos + Math.floorDiv(System.nanoTime() - startNanos, period) * period;
    tickThread = self;
    try {
      FutureTask<?> read = r.tick();
      if (read != null) {
        runTracked(r, read);
      }
    } catch (RuntimeException e) {
      Logger.error("sampler tick for {} failed: {}", r.spec().name(), e.toString());
    } finally {
      if (tickThread == self) {
        tickThread = null;
      }
    }
  }

  /**
   * The instant, in {@link System#nanoTime()} terms, the current work was due at: inside a tick on
   * the sampler's thread, the tick's instant on the sampler's grid (however long its reads took so
   * far; a couple of microseconds after every sensor's own instant); anywhere else, now. For the
   * batcher: a flush due a whole number of periods after it runs after the readings of that
   * instant, in their wake-up.
   */
  public long dueNanos() {
    return Thread.currentThread() == tickThread ? tickDue : System.nanoTime();
  }

  /** For {@link SensorRunner#readDirect()}: runs {@code read} on the shared thread, watched. */
  private void runOnSharedThread(SensorRunner r, FutureTask<?> read) {
    shared.execute(() -> runTracked(r, read));
  }

  private void runTracked(SensorRunner r, FutureTask<?> read) {
    Inline in = new Inline(r, read, Thread.currentThread(), System.nanoTime());
    current.set(in);
    lastCheckEvery = checkEvery(r);
    readsSinceCheck.incrementAndGet();
    arm(lastCheckEvery);
    read.run();
    if (!current.compareAndSet(in, null)) {
      movedOffReadEnded();
    }
  }

  /**
   * How long after a read started the watchdog looks at the latest: the read's deadline when the
   * instants it aligns to come at least that often (every check then rides on that work's wake-up),
   * else half of it.
   */
  long checkEvery(SensorRunner r) {
    long deadline = r.deadline().toNanos();
    long period = alignPeriodNanos;
    return period > 0 && period <= deadline ? deadline : deadline / 2;
  }

  /**
   * Lets the watchdog's checks fall on the instants {@code originNanos + n·periodNanos} ({@link
   * System#nanoTime()} terms) where another task of its timer runs (the agent's status file), so
   * that a check costs no wake-up of its own when one of those instants comes soon enough: a check
   * due by T runs at the latest such instant after now and not after T, else at T. With a period of
   * at most a read's deadline, a check is due within the whole deadline and every check shares such
   * a wake-up (see {@link #checkEvery}); with a longer one, checks are due within half the
   * deadline, as without this.
   */
  public void alignWatchdog(long originNanos, long periodNanos) {
    alignOriginNanos = originNanos;
    alignPeriodNanos = periodNanos;
  }

  /** The delay of a check due at most {@code delayNanos} from now, snapped (see above). */
  long alignedDelay(long delayNanos) {
    long period = alignPeriodNanos;
    if (period <= 0) {
      return delayNanos;
    }
    long now = System.nanoTime();
    long due = now + delayNanos;
    long snapped = due - Math.floorMod(due - alignOriginNanos, period);
    return snapped > now ? snapped - now : delayNanos;
  }

  private void arm(long delayNanos) {
    if (watchdogArmed.compareAndSet(false, true)) {
      try {
        watchdogTimer.schedule(this::watch, alignedDelay(delayNanos), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closing) {
        watchdogArmed.set(false);
      }
    }
  }

  /**
   * On the watchdog's timer. While reads keep coming it re-arms itself from its own thread (a task
   * added from another thread ahead of the timer's next one would wake the timer just to be
   * queued); after a period without reads it stops until the next read arms it.
   */
  private void watch() {
    Inline in = current.get();
    boolean readsCame = readsSinceCheck.getAndSet(0) > 0;
    if (in != null) {
      long ran = System.nanoTime() - in.since();
      if (ran < SLOW.toNanos()) {
        // A read that just started: look again once it would count as slow.
        if (reschedule(SLOW.toNanos() - ran)) {
          return;
        }
      } else {
        moveOff(in);
      }
    } else if (readsCame && reschedule(alignedDelay(lastCheckEvery))) {
      return;
    }
    watchdogArmed.set(false);
    // A read that started after the get() above found the watchdog still armed: arm it for that
    // one.
    Inline next = current.get();
    if (next != null) {
      arm(Math.max(0, next.since() + checkEvery(next.runner()) - System.nanoTime()));
    }
  }

  private boolean reschedule(long delayNanos) {
    try {
      watchdogTimer.schedule(this::watch, delayNanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException closing) {
      return false;
    }
  }

  private synchronized void moveOff(Inline in) {
    if (!current.compareAndSet(in, null)) {
      return; // it ended meanwhile
    }
    SensorRunner r = in.runner();
    r.moveOff();
    Logger.info(
        "sensor {}: a read has taken {} ms so far; the sensor reads on a thread of its own now"
            + " (sensor-{})",
        r.spec().name(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - in.since()),
        r.spec().name());
    in.thread().setName("sensor-" + r.spec().name());
    // Its periodic tick is stuck in that read and would never run again: schedule it afresh, on
    // the same instants, so the deadline is checked and later reads go to the sensor's thread.
    ScheduledFuture<?> stuck = schedules.get(r);
    if (stuck != null && !shared.isShutdown()) {
      stuck.cancel(false);
      long period = r.spec().interval().toNanos();
      long sinceStart = System.nanoTime() - startNanos;
      schedule(r, startNanos + (Math.floorDiv(sinceStart, period) + 1) * period);
      updateGrid();
    }
    // A fresh thread takes over the schedule; the stuck one leaves the pool when its read ends.
    shared.setCorePoolSize(shared.getCorePoolSize() + 1);
  }

  private synchronized void movedOffReadEnded() {
    Thread.currentThread().setName("sampler");
    shared.setCorePoolSize(Math.max(1, shared.getCorePoolSize() - 1));
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
    List<Map<String, Object>> out = new ArrayList<>(runners.size());
    for (SensorRunner r : runners) {
      out.add(r.status());
    }
    return out;
  }

  /**
   * An instant on the sampler's grid, in {@link System#nanoTime()} terms: the readings of every
   * sensor due together are due a couple of microseconds before it, and again every {@link
   * #shortestIntervalNanos()} (for sensors of that interval). Valid after {@link #start()}.
   */
  public long gridNanos() {
    return gridNanos;
  }

  /** The shortest sensor interval in nanoseconds (zero without sensors). */
  public long shortestIntervalNanos() {
    long min = 0;
    for (SensorRunner r : runners) {
      long n = r.spec().interval().toNanos();
      min = min == 0 ? n : Math.min(min, n);
    }
    return min;
  }

  /** The longest sensor interval (zero without sensors). */
  public Duration slowestInterval() {
    Duration max = Duration.ZERO;
    for (SensorRunner r : runners) {
      if (r.spec().interval().compareTo(max) > 0) {
        max = r.spec().interval();
      }
    }
    return max;
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
    shared.shutdownNow();
    runners.forEach(SensorRunner::stopReading);
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    long longestRead = 0;
    for (SensorRunner r : runners) {
      longestRead = Math.max(longestRead, r.spec().readTimeout().toNanos());
    }
    try {
      long wait = Math.min(longestRead, deadline - System.nanoTime());
      if (!shared.awaitTermination(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
        Logger.warn("sampler: a read is still running; closing the sensors anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runners.forEach(r -> r.close(deadline));
    if (ownsWatchdogTimer) {
      watchdogTimer.shutdownNow();
    }
  }
}
