package io.outpost.relay.dashboard;

import io.outpost.relay.RelayKey;
import io.outpost.relay.TokenRequest;
import io.outpost.relay.internal.ApiException;
import io.outpost.relay.internal.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The fleet dashboard's access control. The relay makes two random login codes when it starts: a
 * <em>viewer</em> code (read-only: subscribe and presence on device channels) and an
 * <em>operator</em> code (also publish on command channels). The page trades a code for a
 * short-lived connect JWT minted with the relay's own secret key, then speaks the ordinary wire
 * protocol with it; the codes never travel in a WebSocket URL or a log line (they ride in the
 * link's {@code #fragment}, which browsers do not send). Devices still decide for themselves: a
 * command from the page's peer ({@code dashboard-…}) runs only where {@code commands.allowFrom}
 * admits it.
 */
public final class Dashboard {
  /** Channels a viewer may subscribe to: device events and, for presence, command channels. */
  static final List<String> VIEW_CHANNELS =
      List.of("devices/*/events", "devices/*/commands", "fleets/*/commands");

  /** How long a page token lives; the page trades its code again before it runs out. */
  static final Duration TOKEN_TTL = Duration.ofHours(1);

  /** peerId prefix of every dashboard page, for a device's {@code commands.allowFrom}. */
  public static final String PEER_PREFIX = "dashboard-";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final RelayKey key;
  private final String viewerCode;
  private final String operatorCode;
  private final Clock clock;
  final RecentEvents recent;

  /** Access rights a login code grants. */
  enum Role {
    VIEWER,
    OPERATOR
  }

  /** Minted page credential. */
  record Session(String token, long expiresAt, String peerId, Role role) {}

  public Dashboard(RelayKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
    this.viewerCode = randomCode();
    this.operatorCode = randomCode();
    this.recent = new RecentEvents(clock);
  }

  private static String randomCode() {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The login code for {@code operator} (commands allowed) or viewer access. */
  public String loginCode(boolean operator) {
    return operator ? operatorCode : viewerCode;
  }

  /** Feeds the recent window; the relay calls this for every channel publish. */
  public void onPublish(String channel, com.google.gson.JsonElement data) {
    recent.record(channel, data);
  }

  /**
   * Trades a login code for a page token.
   *
   * @throws ApiException 401 for an unknown code (the same answer for every wrong code)
   */
  Session login(String code) throws ApiException {
    Role role;
    if (code != null && constantTimeEquals(code, operatorCode)) {
      role = Role.OPERATOR;
    } else if (code != null && constantTimeEquals(code, viewerCode)) {
      role = Role.VIEWER;
    } else {
      throw new ApiException(401, "unauthorized", "unknown login code");
    }
    String peerId = PEER_PREFIX + randomCode().substring(0, 8).toLowerCase();
    List<String> permissions =
        role == Role.OPERATOR
            ? List.of("subscribe", "presence", "publish")
            : List.of("subscribe", "presence");
    Tokens.Minted minted =
        Tokens.mint(
            key,
            TokenRequest.builder(peerId)
                .channels(VIEW_CHANNELS)
                .permissions(permissions)
                .ttl(TOKEN_TTL)
                .build(),
            clock.instant());
    return new Session(minted.token(), minted.expiresAt(), peerId, role);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
