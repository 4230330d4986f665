package io.outpost.realtime.internal;

import io.outpost.realtime.ReconnectPolicy;

/**
 * Whether to reconnect after a connection (attempt) ended, and the minimum delay before the next
 * attempt: the SDK's rules, relaxed by what the {@link ReconnectPolicy} allows.
 *
 * @param reconnect whether to schedule another attempt
 * @param floorMs minimum delay (before jitter) for that attempt
 */
public record ReconnectDecision(boolean reconnect, long floorMs) {

  /**
   * @param code the close code (1006 for transport failures and token provider failures)
   * @param everConnected whether this client has had a welcome since {@code connect()}
   * @param attemptsSoFar reconnect attempts since the last welcome
   * @param pendingFloorMs a floor already requested (e.g. by {@code going_away.retryAfterMs})
   */
  public static ReconnectDecision afterClose(
      int code,
      boolean everConnected,
      int attemptsSoFar,
      long pendingFloorMs,
      ReconnectPolicy policy) {
    boolean terminal = ReconnectPolicy.isTerminal(code);
    long floor = pendingFloorMs;
    if (code == 4010) {
      floor = Math.max(floor, ReconnectPolicy.OVER_LIMIT_FLOOR.toMillis());
    }
    if (terminal && policy.retryTerminalCodes()) {
      floor = Math.max(floor, policy.terminalRetryDelay().toMillis());
    }
    boolean reconnect =
        policy.enabled()
            && (everConnected || policy.retryFirstConnect())
            && (!terminal || policy.retryTerminalCodes())
            && attemptsSoFar < policy.maxAttempts();
    return new ReconnectDecision(reconnect, floor);
  }
}
