package io.outpost.agent.plugins;

import io.outpost.agent.internal.Backoff;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a sensor the agent did not write (a plugin's) from harming the agent: a read returning too
 * many readings (or null) fails, a sensor that emits too many readings between reads is cut off,
 * and whatever it throws (a {@link LinkageError} from a jar built against another API included)
 * reaches the agent as an ordinary exception. The agent runs it like any sensor: the sampler's
 * {@code SensorRunner} is its one supervisor (its thread, the call deadline, the restart backoff),
 * taking the deadline and the backoff from this sensor's {@link Limits}; {@link #health()} goes
 * into status.
 *
 * <p>Emits: the context handed to the plugin passes at most {@link Limits#maxEmitsPerMinute()}
 * readings a minute to the agent and drops the rest (counted in {@link Health#droppedEmits()}).
 *
 * <p>Thread-safety: calls are not synchronized, so a call abandoned by the supervisor (a plugin
 * stuck in native code) never blocks the next attempt on a fresh thread; {@code health()} may be
 * called from any thread.
 */
public final class IsolatedSensor implements Sensor {

  /**
   * Limits for one plugin sensor.
   *
   * @param callTimeout deadline the supervisor gives each start/read; default 10 s
   * @param initialBackoff the supervisor's wait after the first failure; default 1 s
   * @param maxBackoff the supervisor's longest wait between attempts; default 5 min
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

    /** The restart policy the supervisor applies to this sensor. */
    public Backoff backoff() {
      return new Backoff(initialBackoff, maxBackoff);
    }
  }

  /** Health states, as shown in status. */
  public enum State {
    /** Created, not read yet. */
    NEW,
    /** The last read succeeded. */
    OK,
    /** The last call threw; the supervisor waits before the next attempt. */
    FAILING,
    /** The last call did not return in time; the supervisor waits before the next attempt. */
    HUNG,
    /** The last read returned too many readings; the supervisor waits before the next attempt. */
    FLOODING,
    CLOSED
  }

  /**
   * A snapshot for status.
   *
   * @param state see {@link State}
   * @param lastError the last failure's message, null after a success
   * @param consecutiveFailures failures since the last success
   * @param retryAt when the supervisor's backoff (see {@link Limits#backoff()}) lets the next
   *     attempt run, null when not backing off
   * @param droppedEmits emitted readings dropped by the rate limit since creation
   */
  public record Health(
      State state, String lastError, int consecutiveFailures, Instant retryAt, long droppedEmits) {}

  private final String name;
  private final Sensor delegate;
  private final Clock clock;
  private final Limits limits;
  private final Backoff backoff;
  private final GuardedContext guarded;
  private volatile Health health = new Health(State.NEW, null, 0, null, 0);

  private IsolatedSensor(
      String name, Sensor delegate, Clock clock, Limits limits, GuardedContext guarded) {
    this.name = name;
    this.delegate = delegate;
    this.clock = clock;
    this.limits = limits;
    this.backoff = limits.backoff();
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

  /** The limits this sensor was created with; the supervisor takes its deadline and backoff. */
  public Limits limits() {
    return limits;
  }

  public Health health() {
    Health h = health;
    return new Health(
        h.state(), h.lastError(), h.consecutiveFailures(), h.retryAt(), guarded.dropped.get());
  }

  @Override
  public void start() throws Exception {
    try {
      guard(
          () -> {
            delegate.start();
            return null;
          });
    } catch (Exception e) {
      failed(State.FAILING, e.getMessage());
      throw e;
    }
  }

  @Override
  public List<Reading> read() throws Exception {
    List<Reading> readings;
    try {
      readings = guard(delegate::read);
    } catch (Exception e) {
      failed(State.FAILING, e.getMessage());
      throw e;
    }
    if (readings == null) {
      String m = "read() returned null; return an empty list when there is nothing to report";
      failed(State.FAILING, m);
      throw new IllegalStateException(m);
    }
    if (readings.size() > limits.maxReadingsPerRead()) {
      String m =
          "read() returned "
              + readings.size()
              + " readings, the limit is "
              + limits.maxReadingsPerRead();
      failed(State.FLOODING, m);
      throw new IllegalStateException(m);
    }
    synchronized (backoff) {
      backoff.reset();
      health = new Health(State.OK, null, 0, null, 0);
    }
    return List.copyOf(readings);
  }

  /** Told by the supervisor when a call did not return within {@link Limits#callTimeout()}. */
  public void timedOut(String message) {
    failed(State.HUNG, message);
  }

  private void failed(State state, String message) {
    if (Thread.currentThread().isInterrupted()) {
      return; // abandoned by the supervisor, which counted the timeout already
    }
    synchronized (backoff) {
      Duration wait = backoff.fail();
      health =
          new Health(
              state, String.valueOf(message), backoff.failures(), clock.instant().plus(wait), 0);
    }
  }

  /** Calls into the plugin; an {@link Error} from its code becomes an exception naming it. */
  private <T> T guard(Callable<T> call) throws Exception {
    try {
      return call.call();
    } catch (LinkageError | AssertionError | StackOverflowError e) {
      throw new Exception("sensor " + name + ": plugin failed: " + PluginLoader.describe(e), e);
    }
  }

  /**
   * Closes the plugin's sensor. The supervisor closes a failed sensor and may {@link #start()} it
   * again, as with any sensor.
   */
  @Override
  public void close() throws Exception {
    Health h = health;
    health = new Health(State.CLOSED, h.lastError(), h.consecutiveFailures(), null, 0);
    guard(
        () -> {
          delegate.close();
          return null;
        });
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
