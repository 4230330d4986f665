package io.outpost.relay.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.outpost.relay.RelayKey;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.TokenRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Minting and verifying connect credentials (protocol.md sections 9, 10.2 and R). Stateless. */
public final class Tokens {
  /** Largest serialized {@code peerMetadata}. */
  public static final int MAX_PEER_METADATA_BYTES = 4096;

  /** Largest serialized {@code metadata}. */
  public static final int MAX_METADATA_BYTES = 8192;

  /** Most {@code channels} entries a REST mint accepts. */
  public static final int MAX_MINT_CHANNELS = 100;

  /** Most {@code permissions} entries a REST mint accepts. */
  public static final int MAX_MINT_PERMISSIONS = 16;

  /** Largest accepted {@code exp}: 9999-12-31T23:59:59Z in Unix seconds. */
  static final long MAX_EXP_SECONDS = 253_402_300_799L;

  /** Tolerated clock difference when checking {@code exp} at connect. */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  private Tokens() {}

  /** A minted token and its expiry in Unix seconds. */
  public record Minted(String token, long expiresAt) {}

  /**
   * Connect-time authentication failure: the close code (4001 or 4002) and a reason for the close
   * frame.
   */
  public static final class AuthFailure extends Exception {
    private final int closeCode;

    public AuthFailure(int closeCode, String reason) {
      super(reason, null, false, false);
      this.closeCode = closeCode;
    }

    public int closeCode() {
      return closeCode;
    }
  }

  /** Mints a JWT signed by {@code key}, enforcing the same rules as {@code POST /v1/tokens}. */
  public static Minted mint(RelayKey key, TokenRequest request, Instant now) throws ApiException {
    String bad = Channels.invalidPeerIdReason(request.peerId());
    if (bad != null) {
      throw new ApiException(400, "invalid_request", "peerId: " + bad);
    }
    long ttl = request.ttl().getSeconds();
    if (ttl < 1
        || request.ttl().compareTo(TokenRequest.MAX_TTL) > 0
        || request.ttl().getNano() != 0) {
      throw new ApiException(
          400,
          "invalid_request",
          "expiresInSec must be a whole number from 1 to "
              + TokenRequest.MAX_TTL.getSeconds()
              + ", got "
              + request.ttl().toMillis() / 1000.0);
    }
    JsonObject claims = new JsonObject();
    claims.addProperty("sub", request.peerId());
    claims.addProperty("iat", now.getEpochSecond());
    long exp = now.getEpochSecond() + ttl;
    claims.addProperty("exp", exp);
    if (request.channels() != null) {
      if (request.channels().size() > MAX_MINT_CHANNELS) {
        throw new ApiException(
            400,
            "invalid_request",
            "channels has "
                + request.channels().size()
                + " entries, the limit is "
                + MAX_MINT_CHANNELS);
      }
      JsonArray channels = new JsonArray();
      for (String channel : request.channels()) {
        String reason =
            channel == null ? "channel must be a string" : Channels.invalidGlobReason(channel);
        if (reason != null) {
          throw new ApiException(400, "invalid_request", "channels: " + reason);
        }
        requireChannel(key, channel);
        channels.add(channel);
      }
      claims.add("channels", channels);
    }
    if (request.permissions() != null) {
      if (request.permissions().size() > MAX_MINT_PERMISSIONS) {
        throw new ApiException(
            400,
            "invalid_request",
            "permissions has "
                + request.permissions().size()
                + " entries, the limit is "
                + MAX_MINT_PERMISSIONS);
      }
      JsonArray permissions = new JsonArray();
      for (String p : request.permissions()) {
        if (p == null || !RelayKey.ALL_ACTIONS.contains(p)) {
          throw new ApiException(
              400,
              "invalid_request",
              "permissions: \""
                  + p
                  + "\" is not one of "
                  + String.join(", ", RelayKey.ALL_ACTIONS));
        }
        requireAction(key, p);
        permissions.add(p);
      }
      claims.add("permissions", permissions);
    }
    if (request.metadata() != null) {
      int size = serializedSize(request.metadata());
      if (size > MAX_METADATA_BYTES) {
        throw new ApiException(
            400,
            "invalid_request",
            "metadata is " + size + " bytes serialized, the limit is " + MAX_METADATA_BYTES);
      }
      claims.add("metadata", request.metadata());
    }
    if (request.peerMetadata() != null) {
      int size = serializedSize(request.peerMetadata());
      if (size > MAX_PEER_METADATA_BYTES) {
        throw new ApiException(
            400,
            "invalid_request",
            "peerMetadata is "
                + size
                + " bytes serialized, the limit is "
                + MAX_PEER_METADATA_BYTES);
      }
      claims.add("peerMetadata", request.peerMetadata());
    }
    return new Minted(Jwt.sign(key.id(), key.secret(), claims), exp);
  }

  /**
   * Admits a publishable key ({@code ?key=}): a random UUID peerId, the key's scope, no metadata.
   */
  public static Credential forPublishableKey(String keyId, RelayKeys keys) throws AuthFailure {
    RelayKey key = keys.find(keyId).orElse(null);
    if (key == null || key.isSecret()) {
      // Same answer for unknown keys and secret key ids: no key enumeration, and secret ids are not
      // credentials.
      throw new AuthFailure(4001, "unknown publishable key");
    }
    return new Credential(UUID.randomUUID().toString(), null, key, null, key.actions(), null, null);
  }

  /** Verifies a connect JWT (protocol.md section R, "JWT checks"). */
  public static Credential forToken(String token, RelayKeys keys, Instant now) throws AuthFailure {
    JsonObject header;
    Jwt.Verified verified;
    RelayKey key;
    try {
      header = Jwt.unverifiedHeader(token);
      JsonElement kid = header.get("kid");
      if (kid == null || !kid.isJsonPrimitive() || !kid.getAsJsonPrimitive().isString()) {
        throw new AuthFailure(4001, "token header has no kid");
      }
      key = keys.find(kid.getAsString()).filter(RelayKey::isSecret).orElse(null);
      if (key == null) {
        throw new AuthFailure(4001, "token kid does not name a secret key");
      }
      verified = Jwt.verify(token, key.secret());
    } catch (Jwt.InvalidTokenException e) {
      throw new AuthFailure(4001, "invalid token: " + e.getMessage());
    }
    JsonObject claims = verified.claims();
    String sub = stringClaim(claims, "sub");
    String bad = Channels.invalidPeerIdReason(sub);
    if (bad != null) {
      throw new AuthFailure(4001, "invalid token: sub: " + bad);
    }
    Long exp = null;
    JsonElement expElement = claims.get("exp");
    if (expElement != null && !expElement.isJsonNull()) {
      if (!isNumber(expElement)) {
        throw new AuthFailure(4001, "invalid token: exp must be a number");
      }
      double expSeconds = expElement.getAsDouble();
      // Beyond 9999-12-31 the close at exp cannot be scheduled (exp * 1000 overflows a long for
      // 1e16), and no real token lives that long: refuse it here rather than welcome and then
      // close.
      if (!(expSeconds <= MAX_EXP_SECONDS)) {
        throw new AuthFailure(4001, "invalid token: exp is after 9999-12-31");
      }
      exp = (long) Math.floor(expSeconds);
      if (now.getEpochSecond() >= exp + CLOCK_SKEW.getSeconds()) {
        throw new AuthFailure(4002, "token expired");
      }
    }
    List<ChannelPattern> claimChannels = null;
    JsonElement channels = claims.get("channels");
    if (channels != null && !channels.isJsonNull()) {
      claimChannels = new ArrayList<>();
      for (String c : stringArrayClaim(channels, "channels")) {
        try {
          claimChannels.add(ChannelPattern.compile(c));
        } catch (IllegalArgumentException e) {
          throw new AuthFailure(4001, "invalid token: channels: " + e.getMessage());
        }
      }
    }
    Set<String> actions = new LinkedHashSet<>(key.actions());
    JsonElement permissions = claims.get("permissions");
    if (permissions != null && !permissions.isJsonNull()) {
      actions.retainAll(stringArrayClaim(permissions, "permissions"));
    }
    JsonObject metadata = objectClaim(claims, "metadata", MAX_METADATA_BYTES);
    JsonObject peerMetadata = objectClaim(claims, "peerMetadata", MAX_PEER_METADATA_BYTES);
    return new Credential(
        sub, exp, key, claimChannels, Set.copyOf(actions), metadata, peerMetadata);
  }

  private static String stringClaim(JsonObject claims, String name) throws AuthFailure {
    JsonElement e = claims.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new AuthFailure(4001, "invalid token: " + name + " claim missing or not a string");
    }
    return e.getAsString();
  }

  private static List<String> stringArrayClaim(JsonElement e, String name) throws AuthFailure {
    if (!e.isJsonArray()) {
      throw new AuthFailure(4001, "invalid token: " + name + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonElement item : e.getAsJsonArray()) {
      if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
        throw new AuthFailure(4001, "invalid token: " + name + " must be an array of strings");
      }
      out.add(item.getAsString());
    }
    return out;
  }

  private static JsonObject objectClaim(JsonObject claims, String name, int maxBytes)
      throws AuthFailure {
    JsonElement e = claims.get(name);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonObject()) {
      throw new AuthFailure(4001, "invalid token: " + name + " must be an object");
    }
    int size = serializedSize(e);
    if (size > maxBytes) {
      throw new AuthFailure(
          4001, "invalid token: " + name + " is " + size + " bytes, the limit is " + maxBytes);
    }
    return e.getAsJsonObject();
  }

  private static boolean isNumber(JsonElement e) {
    return e.isJsonPrimitive() && ((JsonPrimitive) e).isNumber();
  }

  /** Size of the compact JSON serialization in UTF-8 bytes. */
  public static int serializedSize(JsonElement e) {
    return e.toString().getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * 403 {@code action_not_permitted} unless {@code key} grants {@code action} (REST calls and token
   * minting).
   */
  static void requireAction(RelayKey key, String action) throws ApiException {
    if (!key.actions().contains(action)) {
      throw new ApiException(
          403, "action_not_permitted", "key " + key.id() + " does not allow action " + action);
    }
  }

  /**
   * 403 {@code channel_not_authorized} unless one of {@code key}'s patterns covers {@code channel}.
   */
  static void requireChannel(RelayKey key, String channel) throws ApiException {
    if (!key.allowsChannel(channel)) {
      throw new ApiException(
          403, "channel_not_authorized", "channel not in key's allowed patterns: " + channel);
    }
  }
}
