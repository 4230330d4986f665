package io.outpost.realtime;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable configuration of a {@link RealtimeClient}, in groups: {@link Timeouts}, the {@link
 * ReconnectPolicy}, outbound {@link Limits} and {@link Tls}. Every default is a named constant of
 * its group ({@code Timeouts.DEFAULT_ACK}, {@code ReconnectPolicy.SDK}, …). Build with {@link
 * #builder()}; the builder also takes each setting on its own. Invalid values fail with an {@link
 * IllegalArgumentException} naming the setting, the value and the rule.
 *
 * @param url server origin, {@code wss://host[:port]}; the client appends {@code /v1}
 * @param credentials publishable key, static token or token provider (required)
 * @param timeouts how long the client waits for the server, its token provider and itself
 * @param reconnect when and how fast to reconnect ({@link ReconnectPolicy#SDK} by default, {@link
 *     ReconnectPolicy#DEVICE} for daemons)
 * @param autoResubscribe re-subscribe every channel after reconnecting
 * @param limits outbound pacing and the bound on requests waiting for it
 * @param tls trust anchors, pins, and whether plain {@code ws://} may leave the machine
 */
public record RealtimeConfig(
    URI url,
    Credentials credentials,
    Timeouts timeouts,
    ReconnectPolicy reconnect,
    boolean autoResubscribe,
    Limits limits,
    Tls tls) {

  /** Metered's hosted service. */
  public static final URI DEFAULT_URL = URI.create("wss://rms.metered.ca");

  public RealtimeConfig {
    Objects.requireNonNull(
        credentials, "credentials must be set (publishableKey, token or tokenProvider)");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(reconnect, "reconnect");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(tls, "tls");
    url = normalizeUrl(url, tls.allowInsecure());
  }

  /**
   * How long the client waits. The defaults are the SDK's where it has one.
   *
   * @param connect WebSocket upgrade timeout
   * @param welcome how long to wait for {@code welcome} after the upgrade
   * @param ack how long to wait for {@code ack}/{@code error} after a frame was written
   * @param inactivity close (4000) and reconnect when nothing arrived for this long; a JSON {@code
   *     ping} is sent after a third of it without traffic; zero disables both
   * @param tokenProvider bound on each {@link TokenProvider#fetchToken()} call
   * @param tokenRefreshLead with a token provider, open the replacement connection this long before
   *     the token's {@code expiresAt} (at half the remaining lifetime for short tokens); zero
   *     disables proactive refresh (4002 then triggers a reconnect)
   * @param close how long {@link RealtimeClient#close()} waits for the socket to close
   */
  public record Timeouts(
      Duration connect,
      Duration welcome,
      Duration ack,
      Duration inactivity,
      Duration tokenProvider,
      Duration tokenRefreshLead,
      Duration close) {

    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(10);

    /** SDK value. */
    public static final Duration DEFAULT_WELCOME = Duration.ofSeconds(10);

    /** SDK value. */
    public static final Duration DEFAULT_ACK = Duration.ofSeconds(15);

    /** SDK value. */
    public static final Duration DEFAULT_INACTIVITY = Duration.ofSeconds(60);

    /** SDK value. */
    public static final Duration DEFAULT_TOKEN_PROVIDER = Duration.ofSeconds(10);

    public static final Duration DEFAULT_TOKEN_REFRESH_LEAD = Duration.ofSeconds(60);

    /** SDK value. */
    public static final Duration DEFAULT_CLOSE = Duration.ofSeconds(1);

    /** Every default. */
    public static final Timeouts DEFAULT =
        new Timeouts(
            DEFAULT_CONNECT,
            DEFAULT_WELCOME,
            DEFAULT_ACK,
            DEFAULT_INACTIVITY,
            DEFAULT_TOKEN_PROVIDER,
            DEFAULT_TOKEN_REFRESH_LEAD,
            DEFAULT_CLOSE);

    public Timeouts {
      positive("connectTimeout", connect);
      positive("welcomeTimeout", welcome);
      positive("ackTimeout", ack);
      ReconnectPolicy.notNegative("inactivityTimeout", inactivity);
      positive("tokenProviderTimeout", tokenProvider);
      ReconnectPolicy.notNegative("tokenRefreshLead", tokenRefreshLead);
      positive("closeTimeout", close);
    }
  }

  /**
   * Outbound limits. The server allows 100 requests/s with bursts of 200 per connection and closes
   * 4011 above; the client paces itself below that with a token bucket.
   *
   * @param sendRate outbound requests per second; zero disables pacing
   * @param sendBurst outbound burst size (token bucket capacity)
   * @param maxQueuedRequests bound on requests waiting for the pacer; beyond it requests fail with
   *     {@link QueueFullException}
   */
  public record Limits(double sendRate, int sendBurst, int maxQueuedRequests) {

    public static final double DEFAULT_SEND_RATE = 90;
    public static final int DEFAULT_SEND_BURST = 180;
    public static final int DEFAULT_MAX_QUEUED_REQUESTS = 1000;

    /** 90/s, burst 180, 1000 queued. */
    public static final Limits DEFAULT =
        new Limits(DEFAULT_SEND_RATE, DEFAULT_SEND_BURST, DEFAULT_MAX_QUEUED_REQUESTS);

    public Limits {
      if (!(sendRate >= 0) || Double.isInfinite(sendRate)) {
        throw new IllegalArgumentException(
            "sendRate: must be a finite number >= 0 (0 disables pacing), got " + sendRate);
      }
      if (sendRate > 0 && sendBurst < 1) {
        throw new IllegalArgumentException(
            "sendBurst: must be at least 1 when pacing is on, got " + sendBurst);
      }
      if (maxQueuedRequests < 1) {
        throw new IllegalArgumentException(
            "maxQueuedRequests: must be at least 1, got " + maxQueuedRequests);
      }
    }
  }

  /**
   * Transport security.
   *
   * @param trustStore trust anchors for {@code wss}; {@code null} = the JDK's default trust store
   * @param pinnedKeys if non-empty, the server certificate's SubjectPublicKeyInfo SHA-256 (base64,
   *     optionally prefixed {@code sha256/}) must be one of these, in addition to normal
   *     verification
   * @param allowInsecure allow plain {@code ws://} to non-loopback hosts (credentials travel in
   *     clear)
   */
  public record Tls(KeyStore trustStore, Set<String> pinnedKeys, boolean allowInsecure) {

    /** The JDK trust store, no pins, {@code ws://} only to loopback. */
    public static final Tls DEFAULT = new Tls(null, Set.of(), false);

    public Tls {
      Set<String> pins = new LinkedHashSet<>();
      for (String pin : pinnedKeys == null ? Set.<String>of() : pinnedKeys) {
        pins.add(checkPin(pin));
      }
      pinnedKeys = Set.copyOf(pins);
    }
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this configuration, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.url = url;
    b.credentials = credentials;
    b.timeouts(timeouts);
    b.reconnect(reconnect);
    b.autoResubscribe = autoResubscribe;
    b.limits(limits);
    b.tls(tls);
    return b;
  }

  /** Whether {@code host} is {@code localhost}, in {@code 127.0.0.0/8} or {@code ::1}. */
  public static boolean isLoopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Only literal addresses count: a DNS name resolving to 127.0.0.1 today may not tomorrow.
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static URI normalizeUrl(URI url, boolean allowInsecure) {
    Objects.requireNonNull(url, "url");
    String scheme =
        url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("wss") && !scheme.equals("ws")) {
      throw new IllegalArgumentException(
          "url: \"" + url + "\" must use wss:// (or ws:// to loopback)");
    }
    if (url.getHost() == null) {
      throw new IllegalArgumentException("url: \"" + url + "\" has no host");
    }
    if (scheme.equals("ws") && !allowInsecure && !isLoopbackHost(url.getHost())) {
      throw new IllegalArgumentException(
          "url: \""
              + url
              + "\" sends the credential in clear; use wss:// "
              + "(ws:// is allowed only to loopback, or set allowInsecure(true))");
    }
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    if (!path.isEmpty() && !path.equals("/") && !path.equals("/v1") && !path.equals("/v1/")) {
      throw new IllegalArgumentException(
          "url: \"" + url + "\" must not have a path; the client appends /v1 itself");
    }
    if (url.getRawQuery() != null || url.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "url: must not have a query or fragment (credentials go in credentials())");
    }
    String hostPart =
        url.getHost().contains(":") && !url.getHost().startsWith("[")
            ? "[" + url.getHost() + "]"
            : url.getHost();
    return URI.create(scheme + "://" + hostPart + (url.getPort() >= 0 ? ":" + url.getPort() : ""));
  }

  private static String checkPin(String pin) {
    String p = pin == null ? "" : pin.trim();
    if (p.startsWith("sha256/")) {
      p = p.substring("sha256/".length());
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "pinnedKeys: \""
              + pin
              + "\" is not base64 (expected the SHA-256 of a SubjectPublicKeyInfo, e.g. sha256/AAAA…=)");
    }
    if (decoded.length != 32) {
      throw new IllegalArgumentException(
          "pinnedKeys: \""
              + pin
              + "\" decodes to "
              + decoded.length
              + " bytes, expected 32 (SHA-256)");
    }
    return Base64.getEncoder().encodeToString(decoded);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": must be greater than 0, got " + value);
    }
  }

  /**
   * Mutable builder; not thread-safe. Group setters ({@link #timeouts}, {@link #reconnect}, {@link
   * #limits}, {@link #tls}) replace a whole group; the single-setting methods change one value of
   * it, whatever the order of the calls.
   */
  public static final class Builder {
    private URI url = DEFAULT_URL;
    private Credentials credentials;
    private Duration connectTimeout;
    private Duration welcomeTimeout;
    private Duration ackTimeout;
    private Duration inactivityTimeout;
    private Duration tokenProviderTimeout;
    private Duration tokenRefreshLead;
    private Duration closeTimeout;
    private ReconnectPolicy reconnect = ReconnectPolicy.SDK;
    // Single reconnect settings, applied on top of the policy (null = the policy's value).
    private Boolean autoReconnect;
    private Duration reconnectInitialDelay;
    private Double reconnectMultiplier;
    private Duration reconnectMaxDelay;
    private Double reconnectJitter;
    private Integer maxReconnectAttempts;
    private Duration terminalRetryDelay;
    private boolean autoResubscribe = true;
    private double sendRate;
    private int sendBurst;
    private int maxQueuedRequests;
    private KeyStore trustStore;
    private Set<String> pinnedKeys = new LinkedHashSet<>();
    private boolean allowInsecure;

    private Builder() {
      timeouts(Timeouts.DEFAULT);
      limits(Limits.DEFAULT);
    }

    /** Server origin; default {@code wss://rms.metered.ca}. A trailing {@code /v1} is accepted. */
    public Builder url(URI url) {
      this.url = url;
      return this;
    }

    /** Server origin as text. */
    public Builder url(String url) {
      return url(URI.create(url));
    }

    /** The credential (required). */
    public Builder credentials(Credentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** Shorthand for {@code credentials(Credentials.publishableKey(key))}. */
    public Builder publishableKey(String key) {
      return credentials(Credentials.publishableKey(key));
    }

    /** Shorthand for {@code credentials(Credentials.token(jwt))}. */
    public Builder token(String jwt) {
      return credentials(Credentials.token(jwt));
    }

    /** Shorthand for {@code credentials(Credentials.tokenProvider(provider))}. */
    public Builder tokenProvider(TokenProvider provider) {
      return credentials(Credentials.tokenProvider(provider));
    }

    /** Every timeout at once; default {@link Timeouts#DEFAULT}. */
    public Builder timeouts(Timeouts value) {
      Objects.requireNonNull(value, "timeouts");
      connectTimeout = value.connect();
      welcomeTimeout = value.welcome();
      ackTimeout = value.ack();
      inactivityTimeout = value.inactivity();
      tokenProviderTimeout = value.tokenProvider();
      tokenRefreshLead = value.tokenRefreshLead();
      closeTimeout = value.close();
      return this;
    }

    /** WebSocket upgrade timeout; default {@link Timeouts#DEFAULT_CONNECT} (10 s). */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /** Welcome timeout; default {@link Timeouts#DEFAULT_WELCOME} (10 s, the SDK's). */
    public Builder welcomeTimeout(Duration value) {
      this.welcomeTimeout = value;
      return this;
    }

    /** Ack timeout; default {@link Timeouts#DEFAULT_ACK} (15 s, the SDK's). */
    public Builder ackTimeout(Duration value) {
      this.ackTimeout = value;
      return this;
    }

    /**
     * Inactivity watchdog; default {@link Timeouts#DEFAULT_INACTIVITY} (60 s); pings after a third
     * (floor 1 s); zero disables.
     */
    public Builder inactivityTimeout(Duration value) {
      this.inactivityTimeout = value;
      return this;
    }

    /** Token provider timeout; default {@link Timeouts#DEFAULT_TOKEN_PROVIDER} (10 s). */
    public Builder tokenProviderTimeout(Duration value) {
      this.tokenProviderTimeout = value;
      return this;
    }

    /**
     * Make-before-break lead time; default {@link Timeouts#DEFAULT_TOKEN_REFRESH_LEAD} (60 s); zero
     * disables proactive refresh.
     */
    public Builder tokenRefreshLead(Duration value) {
      this.tokenRefreshLead = value;
      return this;
    }

    /** Bound on {@link RealtimeClient#close()}; default {@link Timeouts#DEFAULT_CLOSE} (1 s). */
    public Builder closeTimeout(Duration value) {
      this.closeTimeout = value;
      return this;
    }

    /**
     * The reconnect policy; default {@link ReconnectPolicy#SDK}. Daemons and devices use {@link
     * ReconnectPolicy#DEVICE}. Single reconnect settings set on this builder still apply on top.
     */
    public Builder reconnect(ReconnectPolicy value) {
      this.reconnect = Objects.requireNonNull(value, "reconnect");
      return this;
    }

    /**
     * {@code true} selects {@link ReconnectPolicy#DEVICE}, {@code false} {@link
     * ReconnectPolicy#SDK}.
     *
     * @deprecated use {@link #reconnect(ReconnectPolicy)}, which names what changes
     */
    @Deprecated
    public Builder deviceMode(boolean value) {
      return reconnect(value ? ReconnectPolicy.DEVICE : ReconnectPolicy.SDK);
    }

    /** Automatic reconnect; default on ({@link ReconnectPolicy#enabled()}). */
    public Builder autoReconnect(boolean value) {
      this.autoReconnect = value;
      return this;
    }

    /** First reconnect delay; default {@link ReconnectPolicy#DEFAULT_INITIAL_DELAY} (500 ms). */
    public Builder reconnectInitialDelay(Duration value) {
      this.reconnectInitialDelay = value;
      return this;
    }

    /** Backoff multiplier; default {@link ReconnectPolicy#DEFAULT_MULTIPLIER} (2). */
    public Builder reconnectMultiplier(double value) {
      this.reconnectMultiplier = value;
      return this;
    }

    /** Backoff cap; default the policy's: 30 s ({@link ReconnectPolicy#SDK}), 60 s (DEVICE). */
    public Builder reconnectMaxDelay(Duration value) {
      this.reconnectMaxDelay = value;
      return this;
    }

    /** Jitter ratio; default {@link ReconnectPolicy#DEFAULT_JITTER} (0.2 = ±20 %). */
    public Builder reconnectJitter(double value) {
      this.reconnectJitter = value;
      return this;
    }

    /** Attempts before giving up; default the policy's: 100 (SDK), unlimited (DEVICE). */
    public Builder maxReconnectAttempts(int value) {
      this.maxReconnectAttempts = value;
      return this;
    }

    /**
     * Minimum delay after a terminal close code when the policy retries those; default {@link
     * ReconnectPolicy#DEFAULT_TERMINAL_RETRY_DELAY} (60 s).
     */
    public Builder terminalRetryDelay(Duration value) {
      this.terminalRetryDelay = value;
      return this;
    }

    /** Re-subscribe after reconnect; default on. */
    public Builder autoResubscribe(boolean value) {
      this.autoResubscribe = value;
      return this;
    }

    /** Every outbound limit at once; default {@link Limits#DEFAULT}. */
    public Builder limits(Limits value) {
      Objects.requireNonNull(value, "limits");
      sendRate = value.sendRate();
      sendBurst = value.sendBurst();
      maxQueuedRequests = value.maxQueuedRequests();
      return this;
    }

    /**
     * Outbound pacing: {@code perSecond} requests per second with bursts of {@code burst}; default
     * 90/s, burst 180 (under the server's 100/s, burst 200). {@code perSecond = 0} disables pacing.
     */
    public Builder sendRate(double perSecond, int burst) {
      this.sendRate = perSecond;
      this.sendBurst = burst;
      return this;
    }

    /** Bound on queued requests; default {@link Limits#DEFAULT_MAX_QUEUED_REQUESTS} (1000). */
    public Builder maxQueuedRequests(int value) {
      this.maxQueuedRequests = value;
      return this;
    }

    /** Every TLS setting at once; default {@link Tls#DEFAULT}. */
    public Builder tls(Tls value) {
      Objects.requireNonNull(value, "tls");
      trustStore = value.trustStore();
      pinnedKeys = new LinkedHashSet<>(value.pinnedKeys());
      allowInsecure = value.allowInsecure();
      return this;
    }

    /** Custom trust anchors for {@code wss}; default: the JDK trust store. */
    public Builder trustStore(KeyStore value) {
      this.trustStore = value;
      return this;
    }

    /**
     * Adds an accepted SubjectPublicKeyInfo SHA-256, base64, optionally prefixed {@code sha256/}.
     * With pins, a certificate whose key matches none is refused even if otherwise trusted.
     */
    public Builder pinPublicKey(String sha256Base64) {
      this.pinnedKeys.add(sha256Base64);
      return this;
    }

    /** Allow {@code ws://} to non-loopback hosts; default off. */
    public Builder allowInsecure(boolean value) {
      this.allowInsecure = value;
      return this;
    }

    /** Validates and builds. */
    public RealtimeConfig build() {
      ReconnectPolicy p = reconnect;
      ReconnectPolicy policy =
          new ReconnectPolicy(
              autoReconnect != null ? autoReconnect : p.enabled(),
              reconnectInitialDelay != null ? reconnectInitialDelay : p.initialDelay(),
              reconnectMultiplier != null ? reconnectMultiplier : p.multiplier(),
              reconnectMaxDelay != null ? reconnectMaxDelay : p.maxDelay(),
              reconnectJitter != null ? reconnectJitter : p.jitter(),
              maxReconnectAttempts != null ? maxReconnectAttempts : p.maxAttempts(),
              p.retryFirstConnect(),
              p.retryTerminalCodes(),
              terminalRetryDelay != null ? terminalRetryDelay : p.terminalRetryDelay());
      return new RealtimeConfig(
          url,
          credentials,
          new Timeouts(
              connectTimeout,
              welcomeTimeout,
              ackTimeout,
              inactivityTimeout,
              tokenProviderTimeout,
              tokenRefreshLead,
              closeTimeout),
          policy,
          autoResubscribe,
          new Limits(sendRate, sendBurst, maxQueuedRequests),
          new Tls(trustStore, pinnedKeys, allowInsecure));
    }
  }
}
