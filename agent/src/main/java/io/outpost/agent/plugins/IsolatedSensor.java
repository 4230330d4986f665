package io.outpost.agent.plugins;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.PluginLog;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a sensor the agent did not write (a plugin's) from harming the agent: every call into it
 * runs on the sensor's own thread with a deadline, a failure closes it and retries only after an
 * exponential backoff, and a sensor that returns or emits too many readings is cut off. The agent
 * calls {@link #read()} as for any sensor; {@link #health()} goes into status.
 *
 * <p>Life of a read: while backing off, {@code read()} throws {@link BackoffException} at once,
 * without touching the plugin. Otherwise, if the sensor is not started, {@code start()} runs first.
 * A call that does not return within {@link Limits#callTimeout()} is interrupted and abandoned (its
 * thread is replaced; a thread that ignores interruption is left to finish on its own as a daemon);
 * an exception or a timeout counts as a failure: the sensor is closed and the next attempt waits
 * {@code initialBackoff × 2^(failures−1)}, at most {@code maxBackoff}. One success resets it.
 *
 * <p>Emits: the context handed to the plugin passes at most {@link Limits#maxEmitsPerMinute()}
 * readings a minute to the agent and drops the rest (counted in {@link Health#droppedEmits()}).
 *
 * <p>Thread-safety: {@code read()} and {@code close()} are synchronized (the sampler never calls
 * read concurrently anyway); {@code health()} may be called from any thread.
 */
public final class IsolatedSensor implements Sensor {

  /**
   * Limits for one plugin sensor.
   *
   * @param callTimeout deadline for each start/read/close call; default 10 s
   * @param initialBackoff wait after the first failure; default 1 s
   * @param maxBackoff longest wait between attempts; default 5 min
   * @param maxReadingsPerRead more readings than this from one read is a failure; default 100
   * @param maxEmitsPerMinute emitted readings beyond this per clock minute are dropped; default 600
   */
  public record Limits(
      Duration callTimeout,
      Duration initialBackoff,
      Duration maxBackoff,
      int maxReadingsPerRead,
      int maxEmitsPerMinute) {
    public Limits {
      Objects.requireNonNull(callTimeout, "callTimeout == null");
      Objects.requireNonNull(initialBackoff, "initialBackoff == null");
      Objects.requireNonNull(maxBackoff, "maxBackoff == null");
      if (callTimeout.isNegative() || callTimeout.isZero()) {
        throw new IllegalArgumentException("callTimeout must be > 0, got " + callTimeout);
      }
      if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "need 0 <= initialBackoff <= maxBackoff, got " + initialBackoff + ", " + maxBackoff);
      }
      if (maxReadingsPerRead < 1 || maxEmitsPerMinute < 0) {
        throw new IllegalArgumentException(
            "maxReadingsPerRead must be >= 1 and maxEmitsPerMinute >= 0");
      }
    }

    public static Limits defaults() {
      return new Limits(
          Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5), 100, 600);
    }
  }

  /** Health states, as shown in status. */
  public enum State {
    /** Created, not read yet. */
    NEW,
    /** The last read succeeded. */
    OK,
    /** The last call threw; waiting before the next attempt. */
    FAILING,
    /** The last call did not return in time; waiting before the next attempt. */
    HUNG,
    /** The last read returned too many readings; waiting before the next attempt. */
    FLOODING,
    CLOSED
  }

  /**
   * A snapshot for status.
   *
   * @param state see {@link State}
   * @param lastError the last failure's message, null after a success
   * @param consecutiveFailures failures since the last success
   * @param retryAt when the next attempt may run, null when not backing off
   * @param droppedEmits emitted readings dropped by the rate limit since creation
   */
  public record Health(
      State state, String lastError, int consecutiveFailures, Instant retryAt, long droppedEmits) {}

  /** Thrown by {@link #read()} while the sensor waits out its backoff. */
  public static final class BackoffException extends Exception {
    BackoffException(String message) {
      super(message);
    }
  }

  private final String name;
  private final Sensor delegate;
  private final Clock clock;
  private final Limits limits;
  private final GuardedContext guarded;
  private ExecutorService executor;
  private boolean started;
  private volatile Health health = new Health(State.NEW, null, 0, null, 0);

  private IsolatedSensor(
      String name, Sensor delegate, Clock clock, Limits limits, GuardedContext guarded) {
    this.name = name;
    this.delegate = delegate;
    this.clock = clock;
    this.limits = limits;
    this.guarded = guarded;
  }

  /**
   * Creates the plugin's sensor through a guarded context and wraps it.
   *
   * @throws ConfigException the factory's own, or one naming the factory when it threw anything
   *     else
   */
  public static IsolatedSensor create(SensorFactory factory, SensorContext context, Limits limits)
      throws ConfigException {
    GuardedContext guarded = new GuardedContext(context, limits.maxEmitsPerMinute());
    Sensor sensor;
    try {
      sensor = factory.create(guarded);
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw new ConfigException(
          context.options().location(),
          "",
          "the plugin's "
              + factory.getClass().getName()
              + " failed while checking its options: "
              + PluginLoader.describe(e));
    }
    if (sensor == null) {
      throw new ConfigException(
          context.options().location(), "", factory.getClass().getName() + ".create returned null");
    }
    return new IsolatedSensor(context.name(), sensor, context.clock(), limits, guarded);
  }

  public Health health() {
    Health h = health;
    return new Health(
        h.state(), h.lastError(), h.consecutiveFailures(), h.retryAt(), guarded.dropped.get());
  }

  @Override
  public synchronized void start() {
    // Starting happens inside read(), under the same deadline and backoff rules.
  }

  @Override
  public synchronized List<Reading> read() throws Exception {
    Health h = health;
    if (h.state() == State.CLOSED) {
      throw new IllegalStateException("sensor " + name + " is closed");
    }
    Instant now = clock.instant();
    if (h.retryAt() != null && now.isBefore(h.retryAt())) {
      throw new BackoffException(
          "sensor "
              + name
              + " is backing off until "
              + h.retryAt()
              + " after "
              + h.consecutiveFailures()
              + " failure(s); last: "
              + h.lastError());
    }
    try {
      if (!started) {
        call(
            () -> {
              delegate.start();
              return null;
            },
            "start()");
        started = true;
      }
      List<Reading> readings = call(delegate::read, "read()");
      if (readings == null) {
        throw new IllegalStateException(
            "read() returned null; return an empty list when there is nothing to report");
      }
      if (readings.size() > limits.maxReadingsPerRead()) {
        throw new FloodException(
            "read() returned "
                + readings.size()
                + " readings, the limit is "
                + limits.maxReadingsPerRead());
      }
      health = new Health(State.OK, null, 0, null, 0);
      return List.copyOf(readings);
    } catch (Exception e) {
      fail(e);
      throw e;
    }
  }

  private void fail(Exception e) {
    int failures = health.consecutiveFailures() + 1;
    State state =
        e instanceof TimeoutException
            ? State.HUNG
            : e instanceof FloodException ? State.FLOODING : State.FAILING;
    long factor = 1L << Math.min(failures - 1, 30);
    Duration wait = limits.initialBackoff().multipliedBy(factor);
    if (wait.compareTo(limits.maxBackoff()) > 0 || wait.isNegative()) {
      wait = limits.maxBackoff();
    }
    health =
        new Health(state, String.valueOf(e.getMessage()), failures, clock.instant().plus(wait), 0);
    guarded
        .log()
        .warn(
            "failed ("
                + state.name().toLowerCase(java.util.Locale.ROOT)
                + ", attempt "
                + failures
                + "), retrying in "
                + wait.toMillis()
                + " ms: "
                + e.getMessage());
    closeDelegate();
  }

  private <T> T call(Callable<T> task, String what) throws Exception {
    if (executor == null) {
      executor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "plugin-sensor-" + name);
                t.setDaemon(true);
                return t;
              });
    }
    Future<T> f = executor.submit(task);
    try {
      return f.get(limits.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      // The thread may be stuck for good; never queue behind it again.
      executor.shutdownNow();
      executor = null;
      throw new TimeoutException(
          "sensor "
              + name
              + ": "
              + what
              + " did not return within "
              + limits.callTimeout().toMillis()
              + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw new Exception("sensor " + name + ": " + what + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  private void closeDelegate() {
    if (!started) {
      return;
    }
    started = false;
    try {
      call(
          () -> {
            delegate.close();
            return null;
          },
          "close()");
    } catch (Exception e) {
      guarded.log().warn("close() after a failure failed too: " + e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    if (health.state() == State.CLOSED) {
      return;
    }
    started = true; // close the plugin's sensor even if start() had failed halfway
    closeDelegate();
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
    Health h = health;
    health = new Health(State.CLOSED, h.lastError(), h.consecutiveFailures(), null, 0);
  }

  private static final class FloodException extends Exception {
    FloodException(String message) {
      super(message);
    }
  }

  /** The context the plugin sees: the agent's, with a rate limit on emit. */
  private static final class GuardedContext implements SensorContext {
    private final SensorContext inner;
    private final int perMinute;
    private final AtomicLong dropped = new AtomicLong();
    private long windowMinute = Long.MIN_VALUE;
    private int inWindow;

    GuardedContext(SensorContext inner, int perMinute) {
      this.inner = inner;
      this.perMinute = perMinute;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public Options options() {
      return inner.options();
    }

    @Override
    public Hardware hardware() {
      return inner.hardware();
    }

    @Override
    public Clock clock() {
      return inner.clock();
    }

    @Override
    public void emit(Reading reading) {
      if (reading == null) {
        return;
      }
      boolean pass;
      boolean firstDrop = false;
      synchronized (this) {
        long minute = inner.clock().millis() / 60_000;
        if (minute != windowMinute) {
          windowMinute = minute;
          inWindow = 0;
        }
        pass = ++inWindow <= perMinute;
        firstDrop = inWindow == perMinute + 1;
      }
      if (pass) {
        inner.emit(reading);
      } else {
        dropped.incrementAndGet();
        if (firstDrop) {
          inner
              .log()
              .warn(
                  "emits more than "
                      + perMinute
                      + " readings a minute; the rest of this minute is dropped");
        }
      }
    }

    @Override
    public PluginLog log() {
      return inner.log();
    }
  }
}
