package io.outpost.realtime.internal;

import io.outpost.realtime.RealtimeConfig;
import java.util.Set;

/**
 * Whether to reconnect after a connection (attempt) ended, and the minimum delay before the next
 * attempt. The SDK's rules, plus device mode.
 */
public final class ReconnectPolicy {

  /**
   * The SDK never auto-reconnects on these: 4001 invalid token, 4003 channel not authorized, 4012
   * account suspended, 4020 admin disconnect. Device mode retries them slowly instead.
   */
  public static final Set<Integer> TERMINAL_CLOSE_CODES = Set.of(4001, 4003, 4012, 4020);

  /** After 4010 (over the plan's connection limit) the SDK waits at least 30 s. */
  public static final long OVER_LIMIT_FLOOR_MS = 30_000;

  /**
   * @param reconnect whether to schedule another attempt
   * @param floorMs minimum delay (before jitter) for that attempt
   */
  public record Decision(boolean reconnect, long floorMs) {}

  private ReconnectPolicy() {}

  /**
   * @param code the close code (1006 for transport failures and token provider failures)
   * @param everConnected whether this client has had a welcome since {@code connect()}
   * @param attemptsSoFar reconnect attempts since the last welcome
   * @param pendingFloorMs a floor already requested (e.g. by {@code going_away.retryAfterMs})
   */
  public static Decision afterClose(
      int code,
      boolean everConnected,
      int attemptsSoFar,
      long pendingFloorMs,
      RealtimeConfig config) {
    boolean terminal = TERMINAL_CLOSE_CODES.contains(code);
    long floor = pendingFloorMs;
    if (code == 4010) {
      floor = Math.max(floor, OVER_LIMIT_FLOOR_MS);
    }
    if (terminal && config.deviceMode()) {
      floor = Math.max(floor, config.terminalRetryDelay().toMillis());
    }
    boolean reconnect =
        config.autoReconnect()
            // The SDK surfaces a failed first connect to the caller instead of retrying; devices
            // retry.
            && (everConnected || config.deviceMode())
            && (!terminal || config.deviceMode())
            && attemptsSoFar < config.maxReconnectAttempts();
    return new Decision(reconnect, floor);
  }
}
