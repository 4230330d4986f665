package io.outpost.relay;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What to put into a connect JWT, the same fields as {@code POST /v1/tokens} (protocol.md section
 * 10.2). Build with {@link #builder(String)}.
 *
 * @param peerId becomes {@code sub}; printable ASCII, at most 128 characters
 * @param channels channel globs for the {@code channels} claim, each within the key's patterns;
 *     null = claim omitted (the key's patterns apply); at most 100
 * @param permissions actions for the {@code permissions} claim, each within the key's actions; null
 *     = claim omitted (the key's actions apply); at most 16
 * @param ttl lifetime, 1 s to 24 h (default 1 h)
 * @param metadata private bag echoed in {@code welcome}, at most 8 KB serialized; may be null
 * @param peerMetadata public identity bag, at most 4 KB serialized; may be null
 */
public record TokenRequest(
    String peerId,
    List<String> channels,
    List<String> permissions,
    Duration ttl,
    JsonObject metadata,
    JsonObject peerMetadata) {

  /** Default token lifetime, as Metered's REST mint. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(3600);

  /** Longest token lifetime, as Metered's REST mint. */
  public static final Duration MAX_TTL = Duration.ofSeconds(86400);

  public TokenRequest {
    Objects.requireNonNull(peerId, "peerId == null");
    Objects.requireNonNull(ttl, "ttl == null");
    channels = channels == null ? null : List.copyOf(channels);
    permissions = permissions == null ? null : List.copyOf(permissions);
    metadata = metadata == null ? null : metadata.deepCopy();
    peerMetadata = peerMetadata == null ? null : peerMetadata.deepCopy();
  }

  /** A builder for a token whose {@code sub} is {@code peerId}. */
  public static Builder builder(String peerId) {
    return new Builder(peerId);
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private final String peerId;
    private List<String> channels;
    private List<String> permissions;
    private Duration ttl = DEFAULT_TTL;
    private JsonObject metadata;
    private JsonObject peerMetadata;

    private Builder(String peerId) {
      this.peerId = peerId;
    }

    /** The {@code channels} claim (globs). Omitted when never set. */
    public Builder channels(String... channels) {
      return channels(List.of(channels));
    }

    /** The {@code channels} claim (globs). Omitted when never set. */
    public Builder channels(List<String> channels) {
      this.channels = channels;
      return this;
    }

    /** The {@code permissions} claim. Omitted when never set. */
    public Builder permissions(String... permissions) {
      return permissions(List.of(permissions));
    }

    /** The {@code permissions} claim. Omitted when never set. */
    public Builder permissions(List<String> permissions) {
      this.permissions = permissions;
      return this;
    }

    /** Lifetime (default 1 h, at most 24 h, whole seconds). */
    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    /** The private {@code metadata} claim, echoed in {@code welcome}. */
    public Builder metadata(JsonObject metadata) {
      this.metadata = metadata;
      return this;
    }

    /** The public {@code peerMetadata} claim. */
    public Builder peerMetadata(JsonObject peerMetadata) {
      this.peerMetadata = peerMetadata;
      return this;
    }

    public TokenRequest build() {
      return new TokenRequest(peerId, channels, permissions, ttl, metadata, peerMetadata);
    }
  }
}
