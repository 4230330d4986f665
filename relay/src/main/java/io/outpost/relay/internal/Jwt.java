package io.outpost.relay.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Compact HS256 JWS encoding and verification. Written against the JDK's HMAC rather than a JWT
 * library because Metered-style secrets ({@code sk_secret_…}) may be shorter than the 256 bits such
 * libraries insist on, and because only HS256 is ever accepted (no algorithm negotiation to get
 * wrong). Stateless.
 */
public final class Jwt {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Jwt() {}

  /** A token whose signature checked out. */
  public record Verified(JsonObject header, JsonObject claims) {}

  /** The token could not be parsed or verified; the message says why (never echoes the secret). */
  public static final class InvalidTokenException extends Exception {
    public InvalidTokenException(String message) {
      super(message, null, false, false);
    }
  }

  /** Signs {@code claims} with HS256 and {@code kid}. */
  public static String sign(String kid, String secret, JsonObject claims) {
    JsonObject header = new JsonObject();
    header.addProperty("alg", "HS256");
    header.addProperty("kid", kid);
    header.addProperty("typ", "JWT");
    String signingInput = encode(header.toString()) + "." + encode(claims.toString());
    return signingInput + "." + ENCODER.encodeToString(hmac(secret, signingInput));
  }

  /** Reads the header without verifying anything (to find the {@code kid}). */
  public static JsonObject unverifiedHeader(String token) throws InvalidTokenException {
    String[] parts = split(token);
    return parseObject(parts[0], "header");
  }

  /** Verifies the HS256 signature with {@code secret} and returns header and claims. */
  public static Verified verify(String token, String secret) throws InvalidTokenException {
    String[] parts = split(token);
    JsonObject header = parseObject(parts[0], "header");
    JsonElement alg = header.get("alg");
    if (alg == null || !alg.isJsonPrimitive() || !"HS256".equals(alg.getAsString())) {
      throw new InvalidTokenException("only alg HS256 is accepted");
    }
    byte[] signature;
    try {
      signature = DECODER.decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("signature is not base64url");
    }
    byte[] expected = hmac(secret, parts[0] + "." + parts[1]);
    if (!MessageDigest.isEqual(expected, signature)) {
      throw new InvalidTokenException("signature does not verify");
    }
    return new Verified(header, parseObject(parts[1], "payload"));
  }

  private static String[] split(String token) throws InvalidTokenException {
    if (token == null || token.isEmpty()) {
      throw new InvalidTokenException("token is empty");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new InvalidTokenException(
          "not a compact JWS (expected 3 dot-separated parts, got " + parts.length + ")");
    }
    return parts;
  }

  private static JsonObject parseObject(String part, String what) throws InvalidTokenException {
    try {
      JsonElement e = StrictJson.parse(new String(DECODER.decode(part), StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new InvalidTokenException(what + " is not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (StrictJson.Malformed e) {
      throw new InvalidTokenException(what + " is not valid JSON: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new InvalidTokenException(what + " is not base64url JSON");
    }
  }

  private static String encode(String json) {
    return ENCODER.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(String secret, String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
    }
  }
}
