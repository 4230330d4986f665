package io.outpost.realtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * When and how fast the client reconnects after losing its connection. Two named presets cover the
 * usual cases: {@link #SDK} (the official JS SDK's behaviour, for applications that can tell a
 * user) and {@link #DEVICE} (never give up, for daemons nobody watches). Derive variants with the
 * {@code with…} methods, e.g. {@code ReconnectPolicy.DEVICE.withMaxDelay(Duration.ofSeconds(5))}.
 *
 * <p>Attempt n waits {@code min(initialDelay × multiplier^(n-1), maxDelay)}, lifted to a floor when
 * one applies (close 4010, {@code going_away}, terminal codes below), then jittered by {@code
 * ±jitter}. The attempt counter resets at every {@code welcome}.
 *
 * @param enabled reconnect at all after an unexpected loss of the connection
 * @param initialDelay first reconnect delay
 * @param multiplier growth factor per attempt (at least 1)
 * @param maxDelay cap on the delay before jitter
 * @param jitter symmetric jitter ratio (0.2 = ±20 %)
 * @param maxAttempts attempts after a loss before giving up; {@link Integer#MAX_VALUE} = forever
 * @param retryFirstConnect retry when the very first {@code connect()} fails, instead of failing
 *     its future (the SDK surfaces that failure to the caller)
 * @param retryTerminalCodes retry after the {@link #TERMINAL_CLOSE_CODES} with a fresh credential,
 *     waiting at least {@code terminalRetryDelay} (the SDK stops on them)
 * @param terminalRetryDelay minimum delay after a terminal close code, when those are retried
 */
public record ReconnectPolicy(
    boolean enabled,
    Duration initialDelay,
    double multiplier,
    Duration maxDelay,
    double jitter,
    int maxAttempts,
    boolean retryFirstConnect,
    boolean retryTerminalCodes,
    Duration terminalRetryDelay) {

  /**
   * Close codes the SDK never reconnects after: 4001 invalid token, 4003 channel not authorized,
   * 4012 account suspended, 4020 admin disconnect.
   */
  public static final Set<Integer> TERMINAL_CLOSE_CODES = Set.of(4001, 4003, 4012, 4020);

  /** After close 4010 (over the plan's connection limit) the next attempt waits at least this. */
  public static final Duration OVER_LIMIT_FLOOR = Duration.ofSeconds(30);

  /** SDK value: first reconnect delay. */
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(500);

  /** SDK value: backoff growth per attempt. */
  public static final double DEFAULT_MULTIPLIER = 2;

  /** SDK value: backoff cap. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);

  /** SDK value: ±20 % jitter. */
  public static final double DEFAULT_JITTER = 0.2;

  /** SDK value: attempts before giving up. */
  public static final int DEFAULT_MAX_ATTEMPTS = 100;

  /** {@link #DEVICE}: backoff cap (the SDK's documented recipe for devices). */
  public static final Duration DEVICE_MAX_DELAY = Duration.ofSeconds(60);

  /** {@link #DEVICE}: minimum delay before retrying after a terminal close code. */
  public static final Duration DEFAULT_TERMINAL_RETRY_DELAY = Duration.ofSeconds(60);

  /**
   * The JS SDK's behaviour: 500 ms × 2ⁿ⁻¹ up to 30 s, ±20 %, 100 attempts; a failed first connect
   * fails {@code connect()}; terminal close codes stop the client.
   */
  public static final ReconnectPolicy SDK =
      new ReconnectPolicy(
          true,
          DEFAULT_INITIAL_DELAY,
          DEFAULT_MULTIPLIER,
          DEFAULT_MAX_DELAY,
          DEFAULT_JITTER,
          DEFAULT_MAX_ATTEMPTS,
          false,
          false,
          DEFAULT_TERMINAL_RETRY_DELAY);

  /**
   * Never give up: like {@link #SDK} but capped at 60 s, unlimited attempts, the first connect is
   * retried too, and terminal close codes are retried after at least 60 s with a fresh credential.
   */
  public static final ReconnectPolicy DEVICE =
      new ReconnectPolicy(
          true,
          DEFAULT_INITIAL_DELAY,
          DEFAULT_MULTIPLIER,
          DEVICE_MAX_DELAY,
          DEFAULT_JITTER,
          Integer.MAX_VALUE,
          true,
          true,
          DEFAULT_TERMINAL_RETRY_DELAY);

  /** Checks every value; the message names the setting, the value and the rule. */
  public ReconnectPolicy {
    notNegative("reconnectInitialDelay", initialDelay);
    notNegative("reconnectMaxDelay", maxDelay);
    notNegative("terminalRetryDelay", terminalRetryDelay);
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException(
          "reconnectMultiplier: must be a finite number >= 1, got " + multiplier);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("reconnectJitter: must be between 0 and 1, got " + jitter);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException(
          "maxReconnectAttempts: must be at least 1, got " + maxAttempts);
    }
  }

  /** This policy with reconnecting switched on or off. */
  public ReconnectPolicy withEnabled(boolean value) {
    return new ReconnectPolicy(
        value,
        initialDelay,
        multiplier,
        maxDelay,
        jitter,
        maxAttempts,
        retryFirstConnect,
        retryTerminalCodes,
        terminalRetryDelay);
  }

  /** This policy with another first delay. */
  public ReconnectPolicy withInitialDelay(Duration value) {
    return new ReconnectPolicy(
        enabled,
        value,
        multiplier,
        maxDelay,
        jitter,
        maxAttempts,
        retryFirstConnect,
        retryTerminalCodes,
        terminalRetryDelay);
  }

  /** This policy with another backoff cap. */
  public ReconnectPolicy withMaxDelay(Duration value) {
    return new ReconnectPolicy(
        enabled,
        initialDelay,
        multiplier,
        value,
        jitter,
        maxAttempts,
        retryFirstConnect,
        retryTerminalCodes,
        terminalRetryDelay);
  }

  /** This policy with another attempt limit. */
  public ReconnectPolicy withMaxAttempts(int value) {
    return new ReconnectPolicy(
        enabled,
        initialDelay,
        multiplier,
        maxDelay,
        jitter,
        value,
        retryFirstConnect,
        retryTerminalCodes,
        terminalRetryDelay);
  }

  /** Whether {@code code} is one of the {@link #TERMINAL_CLOSE_CODES}. */
  public static boolean isTerminal(int code) {
    return TERMINAL_CLOSE_CODES.contains(code);
  }

  static void notNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + ": must not be negative, got " + value);
    }
  }
}
