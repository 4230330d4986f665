package io.outpost.agent.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** When a scheduled task is due, as an instant of {@link System#nanoTime()}. */
public final class DueInstant {
  private DueInstant() {}

  /**
   * The instant {@code f} is due at, never earlier than the executor's own (by at most the time
   * between two clock readings). Work that must come after a task on the same executor, in the same
   * wake-up, is scheduled just past this: an executor runs tasks in the order of their instants.
   *
   * <p>{@code getDelay} is the executor's instant minus a clock reading taken inside it, so a
   * reading taken after it returns, plus the delay, can only come out late. (Read before it, the
   * instant came out early: a thread preempted between the two readings on a machine busy starting
   * things put it milliseconds before the task, and work meant to follow the task ran before it.)
   * The smallest of three tries, so one preemption does not make it late by as much.
   */
  public static long notBefore(ScheduledFuture<?> f) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long delay = f.getDelay(TimeUnit.NANOSECONDS);
      best = Math.min(best, System.nanoTime() + delay);
    }
    return best;
  }
}
