package io.outpost.realtime.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When to open the make-before-break replacement connection: {@code lead} before the token's {@code
 * expiresAt}, or at half the remaining lifetime for tokens shorter than twice the lead; a failed
 * attempt is retried after {@link #RETRY_MS} while the old connection still works. Owns the one
 * refresh timer. Event thread only.
 */
final class TokenRefresher {

  /** A failed refresh is retried after this long (the old connection still works). */
  static final long RETRY_MS = 5_000;

  private final boolean enabled;
  private final long leadMs;
  private final EventLoop events;
  private final Runnable refresh;
  private ScheduledFuture<?> timer;

  /**
   * @param enabled whether refresh applies at all (a token provider and a non-zero lead)
   * @param refresh opens the replacement connection; runs on the event thread when due
   */
  TokenRefresher(boolean enabled, Duration lead, EventLoop events, Runnable refresh) {
    this.enabled = enabled && !lead.isZero();
    this.leadMs = lead.toMillis();
    this.events = events;
    this.refresh = refresh;
  }

  /**
   * Plans the refresh for a connection just welcomed; both times are the server's, so the client's
   * clock skew does not matter.
   */
  void planFromWelcome(Double expiresAt, double serverTime) {
    cancel();
    if (!enabled || expiresAt == null) {
      return;
    }
    long remainingMs = (long) ((expiresAt - serverTime) * 1000);
    schedule(Math.max(0, delayMs(remainingMs, leadMs)));
  }

  /** The delay before refreshing a token with {@code remainingMs} left. */
  static long delayMs(long remainingMs, long leadMs) {
    return remainingMs > 2 * leadMs ? remainingMs - leadMs : remainingMs / 2;
  }

  /** The last attempt failed; try again after {@link #RETRY_MS}. */
  void retryLater() {
    schedule(RETRY_MS);
  }

  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void schedule(long delayMs) {
    cancel();
    timer =
        events.schedule(
            () -> {
              timer = null;
              refresh.run();
            },
            delayMs,
            TimeUnit.MILLISECONDS);
  }
}
