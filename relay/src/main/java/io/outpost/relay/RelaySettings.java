package io.outpost.relay;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link Relay} needs to start. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults (protocol.md sections 11 and R): listen {@code 127.0.0.1:8787}, development keys, 100
 * messages/s with a burst of 200 per connection, RFC 6455 ping every 30 s, idle close after 40 s,
 * {@code maxMessageSize} 65536 bytes, {@code going_away.retryAfterMs} 1000, and 60 WebSocket
 * connection attempts per source IP per 60 s, not applied to loopback clients (so tests and
 * benchmarks on one machine are never throttled).
 *
 * @param listen address to bind; port 0 picks a free port
 * @param keys secret and publishable keys the relay accepts
 * @param ratePerSecond per-connection token-bucket refill, frames per second (every client frame
 *     but {@code ping}); must be &gt; 0
 * @param rateBurst per-connection token-bucket size; must be &gt;= 1
 * @param pingInterval interval of RFC 6455 pings the relay sends; {@link Duration#ZERO} disables
 *     them
 * @param idleTimeout a connection that sent nothing (no frame, no pong) for this long is closed
 *     with 4000; {@link Duration#ZERO} disables the check
 * @param maxMessageSize largest inbound frame in bytes; larger frames close the socket with 1009
 * @param goingAwayRetryAfter {@code retryAfterMs} advertised in {@code going_away} on shutdown
 * @param connectAttemptsPerIp WebSocket upgrade attempts allowed per source IP per {@code
 *     connectAttemptWindow}; more are answered with HTTP 429; 0 disables the limit
 * @param connectAttemptWindow sliding window of the per-IP limit
 * @param limitLoopbackAttempts whether the per-IP limit also applies to loopback clients (default
 *     false)
 * @param outboundLimit bytes of frames that may wait to be sent to one socket (default 1 MiB, or 16
 *     * maxMessageSize when that is more); a peer that reads so slowly that more pile up is closed
 *     with 1008 (see the README); pongs and close frames count too
 * @param requestTimeout an HTTP connection that does not complete a request (headers and body)
 *     within this long of being accepted or of its previous response is closed (default 10 s);
 *     {@link Duration#ZERO} disables the check. Upgraded WebSockets are not affected.
 */
public record RelaySettings(
    InetSocketAddress listen,
    RelayKeys keys,
    double ratePerSecond,
    int rateBurst,
    Duration pingInterval,
    Duration idleTimeout,
    int maxMessageSize,
    Duration goingAwayRetryAfter,
    int connectAttemptsPerIp,
    Duration connectAttemptWindow,
    boolean limitLoopbackAttempts,
    long outboundLimit,
    Duration requestTimeout) {

  /** Default port of {@code outpost relay}. */
  public static final int DEFAULT_PORT = 8787;

  /** The protocol's advertised per-frame cap (protocol.md section 11). */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 65536;

  /** Default of {@link #outboundLimit()}: 1 MiB, room for 16 messages of the largest size. */
  public static final long DEFAULT_OUTBOUND_LIMIT = 1 << 20;

  /** Default of {@link #requestTimeout()}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  public RelaySettings {
    Objects.requireNonNull(listen, "listen == null");
    Objects.requireNonNull(keys, "keys == null");
    Objects.requireNonNull(pingInterval, "pingInterval == null");
    Objects.requireNonNull(idleTimeout, "idleTimeout == null");
    Objects.requireNonNull(goingAwayRetryAfter, "goingAwayRetryAfter == null");
    Objects.requireNonNull(connectAttemptWindow, "connectAttemptWindow == null");
    Objects.requireNonNull(requestTimeout, "requestTimeout == null");
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "ratePerSecond must be a finite number > 0, got " + ratePerSecond);
    }
    if (rateBurst < 1) {
      throw new IllegalArgumentException("rateBurst must be >= 1, got " + rateBurst);
    }
    requireNotNegative("pingInterval", pingInterval);
    requireNotNegative("idleTimeout", idleTimeout);
    requireNotNegative("goingAwayRetryAfter", goingAwayRetryAfter);
    requireNotNegative("requestTimeout", requestTimeout);
    if (maxMessageSize < 1024) {
      throw new IllegalArgumentException(
          "maxMessageSize must be >= 1024 bytes, got " + maxMessageSize);
    }
    if (connectAttemptsPerIp < 0) {
      throw new IllegalArgumentException(
          "connectAttemptsPerIp must be >= 0 (0 = off), got " + connectAttemptsPerIp);
    }
    if (connectAttemptWindow.isNegative() || connectAttemptWindow.isZero()) {
      throw new IllegalArgumentException(
          "connectAttemptWindow must be > 0, got " + connectAttemptWindow);
    }
    // At least one frame of the largest size (payload plus envelope) must fit, or every big message
    // would cut off
    // its recipients.
    if (outboundLimit < 2L * maxMessageSize) {
      throw new IllegalArgumentException(
          "outboundLimit must be >= 2 * maxMessageSize ("
              + 2L * maxMessageSize
              + " bytes), got "
              + outboundLimit);
    }
  }

  private static void requireNotNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
  }

  /** A builder holding the defaults listed on this class. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.listen = listen;
    b.keys = keys;
    b.ratePerSecond = ratePerSecond;
    b.rateBurst = rateBurst;
    b.pingInterval = pingInterval;
    b.idleTimeout = idleTimeout;
    b.maxMessageSize = maxMessageSize;
    b.goingAwayRetryAfter = goingAwayRetryAfter;
    b.connectAttemptsPerIp = connectAttemptsPerIp;
    b.connectAttemptWindow = connectAttemptWindow;
    b.limitLoopbackAttempts = limitLoopbackAttempts;
    b.outboundLimit = outboundLimit;
    b.requestTimeout = requestTimeout;
    return b;
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", DEFAULT_PORT);
    private RelayKeys keys;
    private double ratePerSecond = 100;
    private int rateBurst = 200;
    private Duration pingInterval = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(40);
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private Duration goingAwayRetryAfter = Duration.ofMillis(1000);
    private int connectAttemptsPerIp = 60;
    private Duration connectAttemptWindow = Duration.ofSeconds(60);
    private boolean limitLoopbackAttempts = false;
    private Long outboundLimit; // null: derived from maxMessageSize
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

    private Builder() {}

    /** Address to bind (default 127.0.0.1:8787); port 0 = ephemeral. */
    public Builder listen(InetSocketAddress listen) {
      this.listen = listen;
      return this;
    }

    /**
     * Keys to accept (default: {@link RelayKeys#development()}, a fresh random pair held in memory
     * only).
     */
    public Builder keys(RelayKeys keys) {
      this.keys = keys;
      return this;
    }

    /**
     * Per-connection token bucket: refill rate in frames per second and bucket size (default 100,
     * 200).
     */
    public Builder rateLimit(double perSecond, int burst) {
      this.ratePerSecond = perSecond;
      this.rateBurst = burst;
      return this;
    }

    /** Interval of server RFC 6455 pings (default 30 s, zero = off). */
    public Builder pingInterval(Duration pingInterval) {
      this.pingInterval = pingInterval;
      return this;
    }

    /** Close a connection silent for this long with 4000 (default 40 s, zero = never). */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /** Largest inbound frame in bytes, also advertised in {@code welcome} (default 65536). */
    public Builder maxMessageSize(int maxMessageSize) {
      this.maxMessageSize = maxMessageSize;
      return this;
    }

    /** {@code retryAfterMs} sent in {@code going_away} (default 1000 ms). */
    public Builder goingAwayRetryAfter(Duration retryAfter) {
      this.goingAwayRetryAfter = retryAfter;
      return this;
    }

    /**
     * Per-source-IP WebSocket connection attempts allowed per window (default 60 per 60 s); 0 =
     * off. Over the limit the upgrade is answered with HTTP 429.
     */
    public Builder connectAttemptLimit(int attempts, Duration window) {
      this.connectAttemptsPerIp = attempts;
      this.connectAttemptWindow = window;
      return this;
    }

    /** Whether the per-IP attempt limit also counts loopback clients (default false). */
    public Builder limitLoopbackAttempts(boolean limitLoopback) {
      this.limitLoopbackAttempts = limitLoopback;
      return this;
    }

    /**
     * Bytes of outgoing frames that may wait for one socket (default 1 MiB or 16 * maxMessageSize,
     * whichever is more; at least 2 * maxMessageSize). A peer that reads more slowly than messages
     * arrive for it is closed with 1008 once its backlog passes this.
     */
    public Builder outboundLimit(long bytes) {
      this.outboundLimit = bytes;
      return this;
    }

    /** See {@link RelaySettings#requestTimeout()}; {@link Duration#ZERO} disables it. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Validates and returns the settings; throws {@link IllegalArgumentException} naming the bad
     * value.
     */
    public RelaySettings build() {
      return new RelaySettings(
          listen,
          keys != null ? keys : RelayKeys.development(),
          ratePerSecond,
          rateBurst,
          pingInterval,
          idleTimeout,
          maxMessageSize,
          goingAwayRetryAfter,
          connectAttemptsPerIp,
          connectAttemptWindow,
          limitLoopbackAttempts,
          outboundLimit != null
              ? outboundLimit
              : Math.max(DEFAULT_OUTBOUND_LIMIT, 16L * maxMessageSize),
          requestTimeout);
    }
  }
}
