package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RealtimeConfigTest {

  private static final String SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig-do-not-log";

  @Test
  void defaultsMatchTheSdk() {
    RealtimeConfig c = RealtimeConfig.builder().token(SECRET).build();
    assertThat(c.url()).isEqualTo(URI.create("wss://rms.metered.ca"));
    assertThat(c.timeouts().welcome()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.timeouts().ack()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.timeouts().inactivity()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.timeouts().tokenProvider()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.reconnect().initialDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.reconnect().multiplier()).isEqualTo(2);
    assertThat(c.reconnect().maxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.reconnect().jitter()).isEqualTo(0.2);
    assertThat(c.reconnect().maxAttempts()).isEqualTo(100);
    assertThat(c.limits().sendRate()).isEqualTo(90);
    assertThat(c.limits().sendBurst()).isEqualTo(180);
    assertThat(c.autoResubscribe()).isTrue();
  }

  @Test
  void plainWsOnlyToLoopbackUnlessAllowed() {
    RealtimeConfig.builder().token(SECRET).url("ws://127.0.0.1:8787").build();
    RealtimeConfig.builder().token(SECRET).url("ws://127.8.9.10:8787").build();
    RealtimeConfig.builder().token(SECRET).url("ws://localhost").build();
    RealtimeConfig.builder().token(SECRET).url("ws://[::1]:9000").build();
    assertThatThrownBy(() -> RealtimeConfig.builder().token(SECRET).url("ws://10.0.0.5").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "url: \"ws://10.0.0.5\" sends the credential in clear; use wss:// "
                + "(ws:// is allowed only to loopback, or set allowInsecure(true))");
    assertThatThrownBy(
            () -> RealtimeConfig.builder().token(SECRET).url("ws://localhost.evil.example").build())
        .hasMessageContaining("sends the credential in clear");
    RealtimeConfig.builder().token(SECRET).url("ws://10.0.0.5").allowInsecure(true).build();
  }

  @Test
  void urlIsAnOriginAndV1IsAppendedByTheClient() {
    assertThat(RealtimeConfig.builder().token(SECRET).url("wss://example.com/v1").build().url())
        .isEqualTo(URI.create("wss://example.com"));
    assertThat(RealtimeConfig.builder().token(SECRET).url("wss://example.com:8443/").build().url())
        .isEqualTo(URI.create("wss://example.com:8443"));
    assertThatThrownBy(
            () -> RealtimeConfig.builder().token(SECRET).url("wss://example.com/foo").build())
        .hasMessageContaining("must not have a path");
    assertThatThrownBy(
            () -> RealtimeConfig.builder().token(SECRET).url("https://example.com").build())
        .hasMessageContaining("must use wss://");
    assertThatThrownBy(
            () -> RealtimeConfig.builder().token(SECRET).url("wss://example.com?token=x").build())
        .hasMessageContaining("query");
  }

  @Test
  void badValuesNameTheSettingAndTheRule() {
    assertThatThrownBy(
            () -> RealtimeConfig.builder().token(SECRET).ackTimeout(Duration.ZERO).build())
        .hasMessage("ackTimeout: must be greater than 0, got PT0S");
    assertThatThrownBy(
            () -> RealtimeConfig.builder().token(SECRET).reconnectMultiplier(0.5).build())
        .hasMessage("reconnectMultiplier: must be a finite number >= 1, got 0.5");
    assertThatThrownBy(() -> RealtimeConfig.builder().token(SECRET).reconnectJitter(1.5).build())
        .hasMessage("reconnectJitter: must be between 0 and 1, got 1.5");
    assertThatThrownBy(() -> RealtimeConfig.builder().token(SECRET).sendRate(10, 0).build())
        .hasMessage("sendBurst: must be at least 1 when pacing is on, got 0");
    assertThatThrownBy(() -> RealtimeConfig.builder().token(SECRET).pinPublicKey("nope!").build())
        .hasMessageContaining("pinnedKeys: \"nope!\" is not base64");
    assertThatThrownBy(() -> RealtimeConfig.builder().build())
        .hasMessageContaining("credentials must be set");
  }

  @Test
  void credentialsNeverAppearInToString() {
    RealtimeConfig token = RealtimeConfig.builder().token(SECRET).build();
    RealtimeConfig key = RealtimeConfig.builder().publishableKey("pk_live_" + SECRET).build();
    assertThat(token.toString()).doesNotContain(SECRET).contains("STATIC_TOKEN, redacted");
    assertThat(key.toString()).doesNotContain(SECRET);
    assertThat(Credentials.token(SECRET).toString()).doesNotContain(SECRET);
    try (RealtimeClient client = RealtimeClient.create(token)) {
      assertThat(client.toString()).doesNotContain(SECRET);
    }
  }

  @Test
  void deviceModeDefaultsCanBeOverridden() {
    RealtimeConfig device =
        RealtimeConfig.builder()
            .token(SECRET)
            .reconnect(ReconnectPolicy.DEVICE)
            .maxReconnectAttempts(5)
            .build();
    assertThat(device.reconnect().maxAttempts()).isEqualTo(5);
    assertThat(device.reconnect().maxDelay()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void theTwoReconnectPresetsSayWhatDiffers() {
    assertThat(ReconnectPolicy.SDK.maxDelay()).isEqualTo(ReconnectPolicy.DEFAULT_MAX_DELAY);
    assertThat(ReconnectPolicy.SDK.maxAttempts()).isEqualTo(100);
    assertThat(ReconnectPolicy.SDK.retryFirstConnect()).isFalse();
    assertThat(ReconnectPolicy.SDK.retryTerminalCodes()).isFalse();
    assertThat(ReconnectPolicy.DEVICE.maxDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(ReconnectPolicy.DEVICE.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
    assertThat(ReconnectPolicy.DEVICE.retryFirstConnect()).isTrue();
    assertThat(ReconnectPolicy.DEVICE.retryTerminalCodes()).isTrue();
    assertThat(ReconnectPolicy.DEVICE.terminalRetryDelay()).isEqualTo(Duration.ofSeconds(60));
    assertThat(RealtimeConfig.builder().token(SECRET).build().reconnect())
        .isEqualTo(ReconnectPolicy.SDK);
  }

  @Test
  void groupsHaveNamedDefaultsAndSingleSettersChangeOneValueInAnyOrder() {
    RealtimeConfig c = RealtimeConfig.builder().token(SECRET).build();
    assertThat(c.timeouts()).isEqualTo(RealtimeConfig.Timeouts.DEFAULT);
    assertThat(c.limits()).isEqualTo(RealtimeConfig.Limits.DEFAULT);
    assertThat(c.tls()).isEqualTo(RealtimeConfig.Tls.DEFAULT);
    // A single reconnect setting survives choosing the policy after it.
    RealtimeConfig device =
        RealtimeConfig.builder()
            .token(SECRET)
            .reconnectMaxDelay(Duration.ofSeconds(1))
            .reconnect(ReconnectPolicy.DEVICE)
            .build();
    assertThat(device.reconnect())
        .isEqualTo(ReconnectPolicy.DEVICE.withMaxDelay(Duration.ofSeconds(1)));
    assertThat(c.toBuilder().ackTimeout(Duration.ofSeconds(3)).build().timeouts())
        .isEqualTo(
            new RealtimeConfig.Timeouts(
                RealtimeConfig.Timeouts.DEFAULT_CONNECT,
                RealtimeConfig.Timeouts.DEFAULT_WELCOME,
                Duration.ofSeconds(3),
                RealtimeConfig.Timeouts.DEFAULT_INACTIVITY,
                RealtimeConfig.Timeouts.DEFAULT_TOKEN_PROVIDER,
                RealtimeConfig.Timeouts.DEFAULT_TOKEN_REFRESH_LEAD,
                RealtimeConfig.Timeouts.DEFAULT_CLOSE));
  }

  @Test
  @SuppressWarnings("deprecation")
  void theDeprecatedDeviceModeSwitchSelectsTheDevicePreset() {
    RealtimeConfig old =
        RealtimeConfig.builder().token(SECRET).deviceMode(true).maxReconnectAttempts(5).build();
    assertThat(old.reconnect()).isEqualTo(ReconnectPolicy.DEVICE.withMaxAttempts(5));
  }
}
