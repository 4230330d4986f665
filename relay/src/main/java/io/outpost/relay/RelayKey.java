package io.outpost.relay;

import io.outpost.relay.internal.ChannelPattern;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One configured key. A secret key has an id ({@code sk_id_…}, the JWT {@code kid}) and a signing
 * secret ({@code sk_secret_…}); together they are the REST Bearer credential {@code id:secret}. A
 * publishable key ({@code pk_…}) has no secret, is used as {@code ?key=} on the WebSocket, and may
 * restrict browser origins. Immutable and thread-safe.
 */
public final class RelayKey {
  /** The four actions of protocol.md section 9. */
  public static final List<String> ALL_ACTIONS =
      List.of("publish", "subscribe", "presence", "send");

  private final String id;
  private final String secret;
  private final List<String> channelPatterns;
  private final Set<String> actions;
  private final List<String> allowedOrigins;
  private final List<ChannelPattern> compiled;

  /**
   * @param id key id, {@code sk_id_…} or {@code pk_…}
   * @param secret signing secret for a secret key, null for a publishable key
   * @param channelPatterns globs (protocol.md section 8) this key may use
   * @param actions subset of {@link #ALL_ACTIONS}
   * @param allowedOrigins publishable keys only: allowed {@code Origin} values, {@code ["*"]} = any
   * @throws IllegalArgumentException on an invalid pattern or action
   */
  public RelayKey(
      String id,
      String secret,
      List<String> channelPatterns,
      Set<String> actions,
      List<String> allowedOrigins) {
    this.id = Objects.requireNonNull(id, "id == null");
    this.secret = secret;
    this.channelPatterns = List.copyOf(channelPatterns);
    this.actions = Set.copyOf(actions);
    this.allowedOrigins = List.copyOf(allowedOrigins);
    for (String action : this.actions) {
      if (!ALL_ACTIONS.contains(action)) {
        throw new IllegalArgumentException(
            "\""
                + action
                + "\" is not an action (expected one of "
                + String.join(", ", ALL_ACTIONS)
                + ")");
      }
    }
    this.compiled = this.channelPatterns.stream().map(ChannelPattern::compile).toList();
  }

  /** Key id: {@code sk_id_…} (secret key) or {@code pk_…} (publishable key). */
  public String id() {
    return id;
  }

  /** Signing secret ({@code sk_secret_…}), or null for a publishable key. */
  public String secret() {
    return secret;
  }

  /** Whether this is a secret key pair (has a secret). */
  public boolean isSecret() {
    return secret != null;
  }

  /** The REST credential {@code "id:secret"} (secret keys only). */
  public String bearer() {
    if (secret == null) {
      throw new IllegalStateException("publishable key " + id + " has no REST credential");
    }
    return id + ":" + secret;
  }

  /** Channel globs as configured. */
  public List<String> channelPatterns() {
    return channelPatterns;
  }

  /** Allowed actions. */
  public Set<String> actions() {
    return actions;
  }

  /** Allowed {@code Origin} header values for a publishable key; {@code ["*"]} allows any. */
  public List<String> allowedOrigins() {
    return allowedOrigins;
  }

  /** Whether some pattern of this key matches the (concrete or literal) channel string. */
  public boolean allowsChannel(String channel) {
    for (ChannelPattern p : compiled) {
      if (p.matches(channel)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the {@code Origin} header value (null when absent) may use this publishable key. */
  public boolean allowsOrigin(String origin) {
    return origin == null || allowedOrigins.contains("*") || allowedOrigins.contains(origin);
  }

  @Override
  public String toString() {
    return "RelayKey{"
        + id
        + (secret != null ? ", secret=***" : ", publishable")
        + ", channelPatterns="
        + channelPatterns
        + ", actions="
        + actions
        + "}";
  }
}
