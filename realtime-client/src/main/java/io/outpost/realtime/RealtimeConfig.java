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
 * Immutable configuration of a {@link RealtimeClient}. Build with {@link #builder()}; every default
 * is listed on the builder method that changes it. Invalid values fail in the constructor with an
 * {@link IllegalArgumentException} naming the setting, the value and the rule.
 *
 * @param url server origin, {@code wss://host[:port]}; the client appends {@code /v1}
 * @param credentials publishable key, static token or token provider (required)
 * @param connectTimeout WebSocket upgrade timeout
 * @param welcomeTimeout how long to wait for {@code welcome} after the upgrade
 * @param ackTimeout how long to wait for {@code ack}/{@code error} after a frame was written
 * @param inactivityTimeout close (4000) and reconnect when nothing arrived for this long; a JSON
 *     {@code ping} is sent after a third of it without traffic; zero disables both
 * @param tokenProviderTimeout bound on each {@link TokenProvider#fetchToken()} call
 * @param tokenRefreshLead with a token provider, open the replacement connection this long before
 *     the token's {@code expiresAt} (at half the remaining lifetime for short tokens); zero
 *     disables proactive refresh (4002 then triggers a reconnect)
 * @param closeTimeout how long {@link RealtimeClient#close()} waits for the socket to close
 * @param autoReconnect reconnect after an unexpected loss of the connection
 * @param deviceMode never give up: retry forever, also the initial connect, and retry
 *     4001/4003/4012/4020 slowly (at least {@code terminalRetryDelay}) with a fresh credential
 *     instead of stopping
 * @param reconnectInitialDelay first reconnect delay
 * @param reconnectMultiplier growth factor per attempt (at least 1)
 * @param reconnectMaxDelay cap on the delay before jitter
 * @param reconnectJitter symmetric jitter ratio (0.2 = ±20 %)
 * @param maxReconnectAttempts attempts after a loss before giving up; {@link Integer#MAX_VALUE} =
 *     forever
 * @param terminalRetryDelay device mode: minimum delay after 4001/4003/4012/4020
 * @param autoResubscribe re-subscribe every channel after reconnecting
 * @param sendRate outbound requests per second; zero disables pacing
 * @param sendBurst outbound burst size (token bucket capacity)
 * @param maxQueuedRequests bound on requests waiting for the pacer; beyond it requests fail with
 *     {@link QueueFullException}
 * @param trustStore trust anchors for {@code wss}; {@code null} = the JDK's default trust store
 * @param pinnedKeys if non-empty, the server certificate's SubjectPublicKeyInfo SHA-256 (base64)
 *     must be one of these, in addition to normal verification
 * @param allowInsecure allow plain {@code ws://} to non-loopback hosts (credentials travel in
 *     clear)
 */
public record RealtimeConfig(
    URI url,
    Credentials credentials,
    Duration connectTimeout,
    Duration welcomeTimeout,
    Duration ackTimeout,
    Duration inactivityTimeout,
    Duration tokenProviderTimeout,
    Duration tokenRefreshLead,
    Duration closeTimeout,
    boolean autoReconnect,
    boolean deviceMode,
    Duration reconnectInitialDelay,
    double reconnectMultiplier,
    Duration reconnectMaxDelay,
    double reconnectJitter,
    int maxReconnectAttempts,
    Duration terminalRetryDelay,
    boolean autoResubscribe,
    double sendRate,
    int sendBurst,
    int maxQueuedRequests,
    KeyStore trustStore,
    Set<String> pinnedKeys,
    boolean allowInsecure) {

  /** Metered's hosted service. */
  public static final URI DEFAULT_URL = URI.create("wss://rms.metered.ca");

  public RealtimeConfig {
    Objects.requireNonNull(
        credentials, "credentials must be set (publishableKey, token or tokenProvider)");
    url = normalizeUrl(url, allowInsecure);
    positive("connectTimeout", connectTimeout);
    positive("welcomeTimeout", welcomeTimeout);
    positive("ackTimeout", ackTimeout);
    notNegative("inactivityTimeout", inactivityTimeout);
    positive("tokenProviderTimeout", tokenProviderTimeout);
    notNegative("tokenRefreshLead", tokenRefreshLead);
    positive("closeTimeout", closeTimeout);
    notNegative("reconnectInitialDelay", reconnectInitialDelay);
    notNegative("reconnectMaxDelay", reconnectMaxDelay);
    notNegative("terminalRetryDelay", terminalRetryDelay);
    if (!(reconnectMultiplier >= 1) || Double.isInfinite(reconnectMultiplier)) {
      throw new IllegalArgumentException(
          "reconnectMultiplier: must be a finite number >= 1, got " + reconnectMultiplier);
    }
    if (!(reconnectJitter >= 0 && reconnectJitter <= 1)) {
      throw new IllegalArgumentException(
          "reconnectJitter: must be between 0 and 1, got " + reconnectJitter);
    }
    if (maxReconnectAttempts < 1) {
      throw new IllegalArgumentException(
          "maxReconnectAttempts: must be at least 1, got " + maxReconnectAttempts);
    }
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
    Set<String> pins = new LinkedHashSet<>();
    for (String pin : pinnedKeys == null ? Set.<String>of() : pinnedKeys) {
      pins.add(checkPin(pin));
    }
    pinnedKeys = Set.copyOf(pins);
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
    b.connectTimeout = connectTimeout;
    b.welcomeTimeout = welcomeTimeout;
    b.ackTimeout = ackTimeout;
    b.inactivityTimeout = inactivityTimeout;
    b.tokenProviderTimeout = tokenProviderTimeout;
    b.tokenRefreshLead = tokenRefreshLead;
    b.closeTimeout = closeTimeout;
    b.autoReconnect = autoReconnect;
    b.deviceMode = deviceMode;
    b.reconnectInitialDelay = reconnectInitialDelay;
    b.reconnectMultiplier = reconnectMultiplier;
    b.reconnectMaxDelay = reconnectMaxDelay;
    b.reconnectJitter = reconnectJitter;
    b.maxReconnectAttempts = maxReconnectAttempts;
    b.terminalRetryDelay = terminalRetryDelay;
    b.autoResubscribe = autoResubscribe;
    b.sendRate = sendRate;
    b.sendBurst = sendBurst;
    b.maxQueuedRequests = maxQueuedRequests;
    b.trustStore = trustStore;
    b.pinnedKeys = new LinkedHashSet<>(pinnedKeys);
    b.allowInsecure = allowInsecure;
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

  private static void notNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + ": must not be negative, got " + value);
    }
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private URI url = DEFAULT_URL;
    private Credentials credentials;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration welcomeTimeout = Duration.ofSeconds(10);
    private Duration ackTimeout = Duration.ofSeconds(15);
    private Duration inactivityTimeout = Duration.ofSeconds(60);
    private Duration tokenProviderTimeout = Duration.ofSeconds(10);
    private Duration tokenRefreshLead = Duration.ofSeconds(60);
    private Duration closeTimeout = Duration.ofSeconds(1);
    private boolean autoReconnect = true;
    private boolean deviceMode;
    private Duration reconnectInitialDelay = Duration.ofMillis(500);
    private double reconnectMultiplier = 2;
    private Duration reconnectMaxDelay;
    private double reconnectJitter = 0.2;
    private Integer maxReconnectAttempts;
    private Duration terminalRetryDelay = Duration.ofSeconds(60);
    private boolean autoResubscribe = true;
    private double sendRate = 90;
    private int sendBurst = 180;
    private int maxQueuedRequests = 1000;
    private KeyStore trustStore;
    private Set<String> pinnedKeys = new LinkedHashSet<>();
    private boolean allowInsecure;

    private Builder() {}

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

    /** WebSocket upgrade timeout; default 10 s. */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /** Welcome timeout; default 10 s (the SDK's). */
    public Builder welcomeTimeout(Duration value) {
      this.welcomeTimeout = value;
      return this;
    }

    /** Ack timeout; default 15 s (the SDK's). */
    public Builder ackTimeout(Duration value) {
      this.ackTimeout = value;
      return this;
    }

    /** Inactivity watchdog; default 60 s; pings after a third (floor 1 s); zero disables. */
    public Builder inactivityTimeout(Duration value) {
      this.inactivityTimeout = value;
      return this;
    }

    /** Token provider timeout; default 10 s. */
    public Builder tokenProviderTimeout(Duration value) {
      this.tokenProviderTimeout = value;
      return this;
    }

    /** Make-before-break lead time; default 60 s; zero disables proactive refresh. */
    public Builder tokenRefreshLead(Duration value) {
      this.tokenRefreshLead = value;
      return this;
    }

    /** Bound on {@link RealtimeClient#close()}; default 1 s. */
    public Builder closeTimeout(Duration value) {
      this.closeTimeout = value;
      return this;
    }

    /** Automatic reconnect; default on. */
    public Builder autoReconnect(boolean value) {
      this.autoReconnect = value;
      return this;
    }

    /**
     * Device mode; default off. When on, unless set explicitly: {@code reconnectMaxDelay} 60 s and
     * {@code maxReconnectAttempts} unlimited.
     */
    public Builder deviceMode(boolean value) {
      this.deviceMode = value;
      return this;
    }

    /** First reconnect delay; default 500 ms. */
    public Builder reconnectInitialDelay(Duration value) {
      this.reconnectInitialDelay = value;
      return this;
    }

    /** Backoff multiplier; default 2. */
    public Builder reconnectMultiplier(double value) {
      this.reconnectMultiplier = value;
      return this;
    }

    /** Backoff cap; default 30 s (60 s in device mode). */
    public Builder reconnectMaxDelay(Duration value) {
      this.reconnectMaxDelay = value;
      return this;
    }

    /** Jitter ratio; default 0.2 (±20 %). */
    public Builder reconnectJitter(double value) {
      this.reconnectJitter = value;
      return this;
    }

    /** Attempts before giving up; default 100 (unlimited in device mode). */
    public Builder maxReconnectAttempts(int value) {
      this.maxReconnectAttempts = value;
      return this;
    }

    /** Device mode: minimum delay after a terminal close code; default 60 s. */
    public Builder terminalRetryDelay(Duration value) {
      this.terminalRetryDelay = value;
      return this;
    }

    /** Re-subscribe after reconnect; default on. */
    public Builder autoResubscribe(boolean value) {
      this.autoResubscribe = value;
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

    /** Bound on queued requests; default 1000. */
    public Builder maxQueuedRequests(int value) {
      this.maxQueuedRequests = value;
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
      Duration maxDelay =
          reconnectMaxDelay != null
              ? reconnectMaxDelay
              : deviceMode ? Duration.ofSeconds(60) : Duration.ofSeconds(30);
      int attempts =
          maxReconnectAttempts != null
              ? maxReconnectAttempts
              : deviceMode ? Integer.MAX_VALUE : 100;
      return new RealtimeConfig(
          url,
          credentials,
          connectTimeout,
          welcomeTimeout,
          ackTimeout,
          inactivityTimeout,
          tokenProviderTimeout,
          tokenRefreshLead,
          closeTimeout,
          autoReconnect,
          deviceMode,
          reconnectInitialDelay,
          reconnectMultiplier,
          maxDelay,
          reconnectJitter,
          attempts,
          terminalRetryDelay,
          autoResubscribe,
          sendRate,
          sendBurst,
          maxQueuedRequests,
          trustStore,
          pinnedKeys,
          allowInsecure);
    }
  }
}
