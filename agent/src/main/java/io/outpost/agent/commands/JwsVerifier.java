package io.outpost.agent.commands;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.SigningKeys;
import io.outpost.agent.internal.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies commands carried as a compact JWS ({@code header.payload.signature}, RFC 7515) with the
 * JDK's own crypto: {@code EdDSA} (Ed25519) or {@code HS256}, the key chosen by the header's {@code
 * kid} from {@code commands.keys}. Thread-safe.
 */
public final class JwsVerifier {
  private final SigningKeys keys;

  /** A signature that does not verify; the message is safe to return to the sender. */
  public static final class InvalidSignatureException extends Exception {
    InvalidSignatureException(String message) {
      super(message);
    }
  }

  /**
   * @param keys {@code commands.keys} as the config loader decoded them
   */
  public JwsVerifier(SigningKeys keys) {
    this.keys = keys;
  }

  /**
   * @param config kid → {@code {"alg", "secret"|"publicKey"}}, decoded here
   * @throws IllegalArgumentException when a key cannot be decoded
   */
  public JwsVerifier(Map<String, Map<String, Object>> config) {
    this(SigningKeys.of(config));
  }

  /** Whether {@code s} looks like a compact JWS (three base64url parts). */
  public static boolean looksLikeJws(String s) {
    return s.chars().filter(c -> c == '.').count() == 2
        && s.matches("[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+");
  }

  /** Verifies {@code compact} and returns its payload, which must be a JSON object. */
  public JsonObject verify(String compact) throws InvalidSignatureException {
    String[] parts = compact.split("\\.");
    if (parts.length != 3) {
      throw new InvalidSignatureException("not a compact JWS (expected header.payload.signature)");
    }
    JsonObject header;
    JsonElement payload;
    byte[] sig;
    try {
      Base64.Decoder d = Base64.getUrlDecoder();
      header = Json.parse(new String(d.decode(parts[0]), StandardCharsets.UTF_8)).getAsJsonObject();
      payload = Json.parse(new String(d.decode(parts[1]), StandardCharsets.UTF_8));
      sig = d.decode(parts[2]);
    } catch (RuntimeException e) {
      throw new InvalidSignatureException("JWS is not decodable: " + e.getMessage());
    }
    String alg =
        header.has("alg") && header.get("alg").isJsonPrimitive()
            ? header.get("alg").getAsString()
            : "";
    String kid =
        header.has("kid") && header.get("kid").isJsonPrimitive()
            ? header.get("kid").getAsString()
            : "";
    SigningKeys.Key key = keys.get(kid).orElse(null);
    if (key == null) {
      throw new InvalidSignatureException("unknown kid \"" + kid + "\"");
    }
    if (!key.alg().equals(alg)) {
      throw new InvalidSignatureException(
          "kid \"" + kid + "\" is an " + key.alg() + " key, but the JWS says alg \"" + alg + "\"");
    }
    byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    boolean ok;
    try {
      if (key instanceof SigningKeys.Hmac hmac) {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(hmac.secret(), "HmacSHA256"));
        ok = MessageDigest.isEqual(mac.doFinal(signingInput), sig);
      } else {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(((SigningKeys.Ed25519) key).publicKey());
        s.update(signingInput);
        ok = s.verify(sig);
      }
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) {
      throw new InvalidSignatureException("signature does not verify with kid \"" + kid + "\"");
    }
    if (!payload.isJsonObject()) {
      throw new InvalidSignatureException("JWS payload is not a JSON object");
    }
    return payload.getAsJsonObject();
  }
}
