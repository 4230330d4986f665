package io.outpost.agent.sampler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Groups reported records into telemetry messages: a batch is flushed when it holds {@code
 * maxRecords}, when one more record could push it past the byte budget (derived from the server's
 * {@code maxMessageSize}), or {@code maxDelay} after its first record. Thread-safe: any sampler
 * thread may add; flushes run on the caller's thread or the scheduler.
 */
public final class Batcher {
  /**
   * Room left in a message for the envelope: type, device, stream, seq, id and the publish frame.
   */
  static final int ENVELOPE_BYTES = 1024;

  private final int maxRecords;
  private final Duration maxDelay;
  private final ScheduledExecutorService scheduler;
  private final Consumer<List<SenmlRecord>> sink;
  private final LongSupplier dueNanos;
  private volatile int maxBytes;
  private List<SenmlRecord> batch = new ArrayList<>();
  private int bytes;
  private ScheduledFuture<?> timer;

  /**
   * @param maxMessageSize the server's per-message cap in bytes (65536 until a welcome says
   *     otherwise)
   * @param sink receives each full batch (never empty), in order
   */
  public Batcher(
      int maxRecords,
      Duration maxDelay,
      int maxMessageSize,
      ScheduledExecutorService scheduler,
      Consumer<List<SenmlRecord>> sink) {
    this(maxRecords, maxDelay, maxMessageSize, scheduler, sink, System::nanoTime);
  }

  /**
   * @param dueNanos the instant (in {@link System#nanoTime()} terms) the work adding a record was
   *     due at: a batch is flushed {@code maxDelay} after that instant, not after the moment the
   *     record arrived. With the sampler's {@link Sampler#dueNanos()}, a flush due a second after a
   *     reading lands on the instant of the next reading (ticks on the same thread run first at
   *     equal instants), so both cost one wake-up; measured from arrival it landed a read's
   *     duration after that instant, and the sampler woke a second time whenever the next tick's
   *     reads were quicker than that.
   */
  public Batcher(
      int maxRecords,
      Duration maxDelay,
      int maxMessageSize,
      ScheduledExecutorService scheduler,
      Consumer<List<SenmlRecord>> sink,
      LongSupplier dueNanos) {
    this.dueNanos = dueNanos;
    this.maxRecords = maxRecords;
    this.maxDelay = maxDelay;
    this.scheduler = scheduler;
    this.sink = sink;
    setMaxMessageSize(maxMessageSize);
  }

  /** Adopts the cap of a new welcome. */
  public void setMaxMessageSize(int maxMessageSize) {
    this.maxBytes = Math.max(512, maxMessageSize - ENVELOPE_BYTES);
  }

  public void add(SenmlRecord r) {
    List<SenmlRecord> full = null;
    List<SenmlRecord> flushFirst = null;
    synchronized (this) {
      int size = r.estimatedBytes();
      if (!batch.isEmpty() && bytes + size > maxBytes) {
        flushFirst = takeLocked();
      }
      batch.add(r);
      bytes += size;
      if (batch.size() >= maxRecords || maxDelay.isZero()) {
        full = takeLocked();
      } else if (timer == null) {
        try {
          // Negative when the instant lies a little ahead (the sampler's is after every
          // sensor's own).
          long sinceDue = System.nanoTime() - dueNanos.getAsLong();
          timer =
              scheduler.schedule(
                  this::flush, Math.max(0, maxDelay.toNanos() - sinceDue), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
          full = takeLocked(); // nothing would flush it later
        }
      }
      // Deliver under the lock so batches reach the sink in the order they were cut.
      if (flushFirst != null) {
        sink.accept(flushFirst);
      }
      if (full != null) {
        sink.accept(full);
      }
    }
  }

  /** Sends whatever is pending now (at shutdown, or from the timer). */
  public synchronized void flush() {
    if (!batch.isEmpty()) {
      sink.accept(takeLocked());
    } else if (timer != null) {
      timer = null;
    }
  }

  private List<SenmlRecord> takeLocked() {
    List<SenmlRecord> out = batch;
    batch = new ArrayList<>();
    bytes = 0;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    return out;
  }
}
