package io.outpost.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DueInstantTest {

  /** A task due at a known instant, whose delay is read against the clock as an executor's is. */
  private record DueAt(long time) implements ScheduledFuture<Object> {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(time - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean isDone() {
      return false;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }

  @Test
  void theInstantIsNeverEarlierThanTheTasksAndCloseToIt() {
    for (int i = 0; i < 10_000; i++) {
      long time = System.nanoTime() + 1_000_000_000L;
      long due = DueInstant.notBefore(new DueAt(time));
      assertThat(due).isGreaterThanOrEqualTo(time).isLessThan(time + 50_000_000L);
    }
  }

  @Test
  void workScheduledAtThatInstantRunsAfterTheTask() throws Exception {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    try {
      for (int i = 0; i < 200; i++) {
        ScheduledFuture<?> task = executor.schedule(() -> {}, 1, TimeUnit.HOURS);
        long due = DueInstant.notBefore(task);
        ScheduledFuture<?> after =
            executor.schedule(() -> {}, due - System.nanoTime(), TimeUnit.NANOSECONDS);
        // The executor orders its queue by these instants (ties by submission).
        assertThat(after.compareTo(task)).isPositive();
        task.cancel(false);
        after.cancel(false);
      }
    } finally {
      executor.shutdownNow();
    }
  }
}
