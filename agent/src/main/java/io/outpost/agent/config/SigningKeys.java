package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code commands.keys} decoded once, when the configuration is loaded: every key the command
 * signature verifier will use, ready to use. A key that cannot be decoded or built is a
 * configuration problem at {@code commands.keys.<kid>}, so {@code outpost check} finds what {@code
 * run} would fail on. Immutable.
 */
public final class SigningKeys {
  /** DER prefix that turns a raw 32-byte Ed25519 key into an X.509 SubjectPublicKeyInfo. */
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  /** One decoded key; {@link #alg()} is the JWS {@code alg} it verifies. */
  public sealed interface Key {
    String alg();
  }

  /** {@code HS256}: the shared secret (at least 32 bytes). */
  public record Hmac(byte[] secret) implements Key {
    @Override
    public String alg() {
      return "HS256";
    }
  }

  /** {@code EdDSA}: an Ed25519 public key. */
  public record Ed25519(PublicKey publicKey) implements Key {
    @Override
    public String alg() {
      return "EdDSA";
    }
  }

  public static final SigningKeys NONE = new SigningKeys(Map.of());

  private final Map<String, Key> byKid;

  private SigningKeys(Map<String, Key> byKid) {
    this.byKid = Map.copyOf(byKid);
  }

  public Optional<Key> get(String kid) {
    return Optional.ofNullable(byKid.get(kid));
  }

  public boolean isEmpty() {
    return byKid.isEmpty();
  }

  /**
   * Decodes {@code raw} (kid → {@code {"alg", "secret"|"publicKey"}}), adding one problem per bad
   * key at {@code commands.keys.<kid>…}; bad keys are left out.
   *
   * @param origin the file or variable that set {@code commands.keys}
   */
  static SigningKeys parse(Map<String, Object> raw, String origin, Problems problems) {
    Map<String, Key> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : raw.entrySet()) {
      String at = "commands.keys." + e.getKey();
      try {
        if (!(e.getValue() instanceof Map<?, ?> m)) {
          throw new ConfigException(
              origin,
              at,
              "expected {\"alg\": \"HS256\", \"secret\": BASE64} or {\"alg\": \"EdDSA\", \"publicKey\": BASE64}");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> km = (Map<String, Object>) m;
        out.put(e.getKey(), decode(new Options(origin, km), origin, at));
      } catch (ConfigException ex) {
        problems.add(ex);
      }
    }
    return new SigningKeys(out);
  }

  /**
   * Decodes keys given directly (tests, tools); throws on the first bad one.
   *
   * @throws IllegalArgumentException naming the key and the problem
   */
  public static SigningKeys of(Map<String, Map<String, Object>> raw) {
    Problems problems = new Problems();
    SigningKeys keys = parse(new LinkedHashMap<>(raw), "commands.keys", problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.all().get(0).getMessage());
    }
    return keys;
  }

  private static Key decode(Options o, String origin, String at) throws ConfigException {
    String alg;
    try {
      alg = o.choice("alg", null, List.of("HS256", "EdDSA"));
    } catch (ConfigException ex) {
      throw new ConfigException(origin, at + ".alg", ex.problem());
    }
    if (alg == null) {
      throw new ConfigException(origin, at + ".alg", "missing, expected \"HS256\" or \"EdDSA\"");
    }
    String field = "HS256".equals(alg) ? "secret" : "publicKey";
    byte[] bytes;
    try {
      o.allowOnly(Set.of("alg", field));
      bytes = Base64.getDecoder().decode(o.string(field).trim());
    } catch (ConfigException ex) {
      throw new ConfigException(origin, at + "." + ex.key(), ex.problem());
    } catch (IllegalArgumentException ex) {
      throw new ConfigException(origin, at + "." + field, "is not base64");
    }
    if ("HS256".equals(alg)) {
      if (bytes.length < 32) {
        throw new ConfigException(
            origin, at + ".secret", "too short: " + bytes.length + " bytes, expected at least 32");
      }
      return new Hmac(bytes);
    }
    if (bytes.length != 32 && bytes.length != 44) {
      throw new ConfigException(
          origin,
          at + ".publicKey",
          "expected a raw 32-byte Ed25519 key or its 44-byte X.509 encoding, got "
              + bytes.length
              + " bytes");
    }
    byte[] spki = bytes;
    if (bytes.length == 32) {
      spki = new byte[ED25519_SPKI_PREFIX.length + 32];
      System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
      System.arraycopy(bytes, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    }
    try {
      return new Ed25519(
          KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
    } catch (GeneralSecurityException | RuntimeException ex) {
      throw new ConfigException(
          origin, at + ".publicKey", "is not a usable Ed25519 public key: " + ex.getMessage());
    }
  }
}
