package io.outpost.realtime.internal;

import io.outpost.log.Logger;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client's single event thread: timers plus a mailbox of tasks from other threads. Tasks posted
 * while a drain is pending are batched into it, so a busy connection (an inbound ack per publish, a
 * publish call per message) costs one wake-up per batch instead of one scheduled task per item.
 */
final class EventLoop {

  /** Tasks run per drain before timers get a turn. */
  private static final int BATCH = 256;

  private final ScheduledThreadPoolExecutor timers;
  private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainPending = new AtomicBoolean();
  private final String name;
  private volatile Thread thread;

  EventLoop(String threadName) {
    this.name = threadName;
    this.timers =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              thread = t;
              return t;
            });
    this.timers.setRemoveOnCancelPolicy(true);
    this.timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Runs {@code task} on the event thread, after the tasks posted before it. */
  void execute(Runnable task) {
    if (timers.isShutdown()) {
      throw new RejectedExecutionException(name + " is shut down");
    }
    mailbox.add(task);
    if (timers.isShutdown() && mailbox.remove(task)) {
      // Lost the race with shutdownNow(), which has already emptied the mailbox: report, don't
      // drop.
      throw new RejectedExecutionException(name + " is shut down");
    }
    if (drainPending.compareAndSet(false, true)) {
      try {
        timers.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // shut down meanwhile; shutdownNow() runs what is left in the mailbox
      }
    }
  }

  private void drain() {
    // Cleared first: a task added after this point schedules its own drain.
    drainPending.set(false);
    for (int i = 0; i < BATCH; i++) {
      Runnable task = mailbox.poll();
      if (task == null) {
        return;
      }
      runSafely(task);
    }
    if (!mailbox.isEmpty() && drainPending.compareAndSet(false, true)) {
      timers.execute(this::drain);
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      Logger.error(e, "{}: unexpected failure in an event task", name);
    }
  }

  ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
    return timers.schedule(() -> runSafely(task), delay, unit);
  }

  ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable task, long initialDelay, long delay, TimeUnit unit) {
    return timers.scheduleWithFixedDelay(() -> runSafely(task), initialDelay, delay, unit);
  }

  boolean inEventThread() {
    return Thread.currentThread() == thread;
  }

  /**
   * Stops the thread. Tasks still in the mailbox are run on the calling thread so that none is lost
   * silently; they must cope with the client being closed (they all check it first).
   */
  void shutdownNow() {
    timers.shutdownNow();
    for (Runnable task; (task = mailbox.poll()) != null; ) {
      runSafely(task);
    }
  }
}
