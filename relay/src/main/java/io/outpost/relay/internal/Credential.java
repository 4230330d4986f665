package io.outpost.relay.internal;

import com.google.gson.JsonObject;
import io.outpost.relay.RelayKey;
import java.util.List;
import java.util.Set;

/**
 * What a connection proved at connect time: its peerId and effective scope (claim ∩ key).
 * Immutable.
 *
 * @param peerId JWT {@code sub}, or a random UUID for publishable keys
 * @param expiresAtSeconds JWT {@code exp} in Unix seconds, or null (publishable key / no {@code
 *     exp})
 * @param key the key that admitted the connection
 * @param claimChannels compiled {@code channels} claim, or null when absent (key patterns apply
 *     alone)
 * @param actions effective actions ({@code permissions} ∩ key actions)
 * @param metadata private {@code metadata} claim for {@code welcome}, or null
 * @param peerMetadata public {@code peerMetadata} claim, or null
 */
public record Credential(
    String peerId,
    Long expiresAtSeconds,
    RelayKey key,
    List<ChannelPattern> claimChannels,
    Set<String> actions,
    JsonObject metadata,
    JsonObject peerMetadata) {

  /**
   * Whether this credential may use {@code channel} (a concrete name or a subscription glob, taken
   * literally).
   */
  public boolean allows(String channel) {
    if (!key.allowsChannel(channel)) {
      return false;
    }
    if (claimChannels == null) {
      return true;
    }
    for (ChannelPattern p : claimChannels) {
      if (p.matches(channel)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the effective actions include {@code action}. */
  public boolean can(String action) {
    return actions.contains(action);
  }
}
