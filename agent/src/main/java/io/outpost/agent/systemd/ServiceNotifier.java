package io.outpost.agent.systemd;

import io.outpost.agent.status.StatusSnapshot;
import io.outpost.log.Logger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Tells systemd how the agent is doing ({@code Type=notify}): {@code READY=1} once the
 * configuration is valid and the store open, {@code STATUS=} with the link state and buffer depth,
 * {@code WATCHDOG=1} only while the pipeline makes progress (so a wedged agent is restarted), and
 * {@code STOPPING=1} on shutdown. Only when systemd listens; the periodic work runs on the timer
 * given (the agent's), else on a daemon thread of its own.
 */
public final class ServiceNotifier implements AutoCloseable {
  private static final Duration STATUS_EVERY = Duration.ofSeconds(10);

  private final SdNotify sd;
  private final Supplier<StatusSnapshot> snapshots;
  private final Clock clock;
  private final ScheduledExecutorService sharedTimer;
  private ScheduledExecutorService ownTimer;
  private java.util.concurrent.ScheduledFuture<?> ticks;
  private String lastStall;

  public ServiceNotifier(SdNotify sd, Supplier<StatusSnapshot> snapshots, Clock clock) {
    this(sd, snapshots, clock, null);
  }

  /**
   * @param timer runs the periodic STATUS=/WATCHDOG=1 (not shut down by {@link #close()}); null: a
   *     thread of its own
   */
  public ServiceNotifier(
      SdNotify sd,
      Supplier<StatusSnapshot> snapshots,
      Clock clock,
      ScheduledExecutorService timer) {
    this.sharedTimer = timer;
    this.sd = sd;
    this.snapshots = snapshots;
    this.clock = clock;
  }

  /** From {@code NOTIFY_SOCKET}/{@code WATCHDOG_USEC}; the periodic work on {@code timer}. */
  public static ServiceNotifier fromEnvironment(
      Supplier<StatusSnapshot> snapshots, ScheduledExecutorService timer) {
    return new ServiceNotifier(
        SdNotify.fromEnvironment(Map.copyOf(System.getenv())), snapshots, Clock.systemUTC(), timer);
  }

  /** READY=1 and the first STATUS=, then the periodic STATUS=/WATCHDOG=1. */
  public void ready() {
    if (!sd.enabled()) {
      return;
    }
    sd.send("READY=1\nSTATUS=" + statusLine(snapshots.get()));
    Duration every = STATUS_EVERY;
    if (sd.watchdog() != null) {
      // Twice per watchdog period, as sd_watchdog_enabled(3) advises.
      Duration half = sd.watchdog().dividedBy(2);
      every = half.compareTo(every) < 0 ? half : every;
    }
    ScheduledExecutorService timer = sharedTimer;
    if (timer == null) {
      ownTimer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "sd-notify");
                t.setDaemon(true);
                return t;
              });
      timer = ownTimer;
    }
    long ms = Math.max(100, every.toMillis());
    ticks = timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  void tick() {
    try {
      StatusSnapshot s = snapshots.get();
      String stall = stall(s, clock.instant());
      if (stall == null) {
        lastStall = null;
        sd.send((sd.watchdog() != null ? "WATCHDOG=1\n" : "") + "STATUS=" + statusLine(s));
      } else {
        if (!stall.equals(lastStall)) {
          Logger.warn("not petting the systemd watchdog: {}", stall);
          lastStall = stall;
        }
        sd.send("STATUS=stalled: " + stall);
      }
    } catch (RuntimeException e) {
      Logger.warn("status for systemd failed: {}", e.toString());
    }
  }

  /** STOPPING=1: systemd then waits for the exit instead of judging the watchdog. */
  public void stopping() {
    sd.send("STOPPING=1\nSTATUS=stopping");
  }

  @Override
  public void close() {
    if (ticks != null) {
      ticks.cancel(false);
    }
    if (ownTimer != null) {
      ownTimer.shutdownNow();
    }
    sd.close();
  }

  /** {@code link connected, 3 messages buffered}. */
  static String statusLine(StatusSnapshot s) {
    return "link " + s.link().state() + ", " + s.buffer().messages() + " messages buffered";
  }

  /**
   * Why the pipeline is not making progress, or null when it is: sensors read within their window,
   * the store writable, and, while connected with messages waiting, acks within the expected time.
   * Being offline is progress (buffering); a missing credential is for health, not for a restart,
   * which cannot fix it.
   */
  static String stall(StatusSnapshot s, Instant now) {
    StatusSnapshot.Sampling sampling = s.sampling();
    if (sampling.sensors() > 0) {
      Instant last = sampling.lastReadAt() != null ? sampling.lastReadAt() : s.startedAt();
      long ago = Duration.between(last, now).toMillis();
      if (ago > sampling.expectedWithinMs()) {
        return "no sensor read for " + ago / 1000 + " s";
      }
    }
    if (!s.buffer().writable()) {
      return "the outbox is not writable: " + s.buffer().lastError();
    }
    if (s.link().connected() && s.buffer().messages() > 0) {
      Instant lastAck = s.uplink() == null ? null : s.uplink().lastAckAt();
      Instant since = lastAck;
      if (s.link().connectedAt() != null
          && (since == null || s.link().connectedAt().isAfter(since))) {
        since = s.link().connectedAt();
      }
      if (since != null && Duration.between(since, now).toMillis() > s.ackExpectedWithinMs()) {
        return "connected with "
            + s.buffer().messages()
            + " messages waiting but no ack for "
            + Duration.between(since, now).toSeconds()
            + " s";
      }
    }
    return null;
  }
}
