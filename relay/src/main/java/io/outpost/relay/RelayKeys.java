package io.outpost.relay;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.outpost.relay.internal.StrictJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The keys a relay accepts: secret key pairs (JWT signing + REST) and publishable keys ({@code
 * ?key=}). Immutable and thread-safe.
 *
 * <p>File format (protocol.md section R):
 *
 * <pre>{@code
 * {"keys": [
 *   {"id": "sk_id_dev", "secret": "sk_secret_dev", "channelPatterns": ["**"],
 *    "actions": ["publish", "subscribe", "presence", "send"]},
 *   {"id": "pk_live_dev", "channelPatterns": ["room-*"], "actions": ["publish", "subscribe", "presence"],
 *    "allowedOrigins": ["*"]}]}
 * }</pre>
 *
 * An entry without {@code secret} is a publishable key. {@code allowedOrigins} (publishable keys
 * only) defaults to {@code ["*"]}.
 */
public final class RelayKeys {
  private static final Set<String> ENTRY_FIELDS =
      Set.of("id", "secret", "channelPatterns", "actions", "allowedOrigins");

  private final List<RelayKey> keys;

  /**
   * @throws IllegalArgumentException when there is no key or two keys share an id
   */
  public RelayKeys(List<RelayKey> keys) {
    this.keys = List.copyOf(keys);
    if (this.keys.isEmpty()) {
      throw new IllegalArgumentException("at least one key is required");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (RelayKey k : this.keys) {
      if (!ids.add(k.id())) {
        throw new IllegalArgumentException("duplicate key id " + k.id());
      }
    }
  }

  /** All keys in file order. */
  public List<RelayKey> all() {
    return keys;
  }

  /** The key with this id, if any. */
  public Optional<RelayKey> find(String id) {
    for (RelayKey k : keys) {
      if (k.id().equals(id)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The first secret key pair, if any (used by {@link Relay#mintToken} and printed by the CLI). */
  public Optional<RelayKey> firstSecretKey() {
    return keys.stream().filter(RelayKey::isSecret).findFirst();
  }

  /**
   * A fresh development configuration held in memory: one secret key pair with random id and secret
   * allowing every channel ({@code **}) and action, and one publishable key with random id, same
   * scope, any origin.
   */
  public static RelayKeys development() {
    SecureRandom random = new SecureRandom();
    String suffix = randomHex(random, 8);
    return new RelayKeys(
        List.of(
            new RelayKey(
                "sk_id_dev_" + suffix,
                "sk_secret_" + randomHex(random, 32),
                List.of("**"),
                Set.copyOf(RelayKey.ALL_ACTIONS),
                List.of()),
            new RelayKey(
                "pk_dev_" + suffix,
                null,
                List.of("**"),
                Set.copyOf(RelayKey.ALL_ACTIONS),
                List.of("*"))));
  }

  /**
   * Loads the development keys stored at {@code file}, creating the file (mode 0600, parent
   * directories included) with {@link #development()} keys when it does not exist yet, so later
   * starts reuse the same credentials.
   *
   * @throws RelayKeysException when the existing file is invalid
   * @throws UncheckedIOException when the file cannot be read or written
   */
  public static RelayKeys loadOrCreateDevelopment(Path file) {
    if (!Files.exists(file)) {
      RelayKeys created = development();
      try {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp =
            Files.createTempFile(
                file.toAbsolutePath().getParent(),
                ".relay-keys",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, created.toJson(), StandardCharsets.UTF_8);
        try {
          // Atomic create-if-absent: a concurrent start that won the race keeps its keys.
          Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException raced) {
          // fall through to load the winner's file
        } finally {
          Files.deleteIfExists(tmp);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("creating development keys file " + file + " failed", e);
      }
    }
    return load(file);
  }

  /**
   * {@code $XDG_CONFIG_HOME/outpost/relay-keys.json}, or {@code ~/.config/outpost/relay-keys.json}.
   */
  public static Path defaultDevelopmentFile() {
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("outpost").resolve("relay-keys.json");
  }

  /**
   * Reads a keys file.
   *
   * @throws RelayKeysException naming the file, entry and key when the content is invalid or the
   *     file is missing
   */
  public static RelayKeys load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new RelayKeysException(file.toString(), "", "file does not exist");
    } catch (IOException e) {
      throw new RelayKeysException(file.toString(), "", "cannot be read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /**
   * Parses keys JSON (the file format above).
   *
   * @throws RelayKeysException when the content is invalid
   */
  public static RelayKeys parse(String json) {
    return parse(json, "<json>");
  }

  private static RelayKeys parse(String json, String source) {
    JsonElement root;
    try {
      root = StrictJson.parse(json);
    } catch (StrictJson.Malformed e) {
      throw new RelayKeysException(source, "", "not valid JSON: " + e.getMessage());
    }
    if (!root.isJsonObject()) {
      throw new RelayKeysException(source, "", "expected an object {\"keys\": [...]}");
    }
    JsonElement keysElement = root.getAsJsonObject().get("keys");
    if (keysElement == null
        || !keysElement.isJsonArray()
        || keysElement.getAsJsonArray().isEmpty()) {
      throw new RelayKeysException(
          source,
          "keys",
          "expected a non-empty array of key entries, got " + describe(keysElement));
    }
    List<RelayKey> keys = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    JsonArray array = keysElement.getAsJsonArray();
    for (int i = 0; i < array.size(); i++) {
      String where = "keys[" + i + "]";
      JsonElement e = array.get(i);
      if (!e.isJsonObject()) {
        throw new RelayKeysException(source, where, "expected an object, got " + describe(e));
      }
      JsonObject entry = e.getAsJsonObject();
      String id = requireString(source, where, entry, "id");
      where = where + " (\"" + id + "\")";
      for (String field : entry.keySet()) {
        if (!ENTRY_FIELDS.contains(field)) {
          throw new RelayKeysException(
              source,
              where,
              "unknown field \""
                  + field
                  + "\" (expected "
                  + String.join(
                      ", ", List.of("id", "secret", "channelPatterns", "actions", "allowedOrigins"))
                  + ")");
        }
      }
      if (!ids.add(id)) {
        throw new RelayKeysException(
            source, where + ": id", "duplicate key id (ids must be unique)");
      }
      if (id.contains(":") || id.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
        throw new RelayKeysException(
            source, where + ": id", "must be printable ASCII without ':' or spaces");
      }
      String secret = null;
      if (entry.has("secret")) {
        secret = requireString(source, where, entry, "secret");
        if (!id.startsWith("sk_id_")) {
          throw new RelayKeysException(
              source, where + ": id", "a secret key's id must start with \"sk_id_\"");
        }
        if (!secret.startsWith("sk_secret_")
            || secret.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
          throw new RelayKeysException(
              source,
              where + ": secret",
              "must start with \"sk_secret_\" and be printable ASCII without spaces");
        }
        if (entry.has("allowedOrigins")) {
          throw new RelayKeysException(
              source,
              where + ": allowedOrigins",
              "only publishable keys (entries without \"secret\") have allowedOrigins");
        }
      } else if (!id.startsWith("pk_")) {
        throw new RelayKeysException(
            source,
            where + ": secret",
            "missing; an entry without \"secret\" is a "
                + "publishable key and its id must start with \"pk_\" (secret keys: \"sk_id_…\" with \"secret\")");
      }
      List<String> patterns = requireStrings(source, where, entry, "channelPatterns", false);
      for (int p = 0; p < patterns.size(); p++) {
        String pattern = patterns.get(p);
        try {
          if (pattern.isEmpty()) {
            throw new IllegalArgumentException("pattern must not be empty");
          }
          io.outpost.relay.internal.ChannelPattern.compile(pattern);
        } catch (IllegalArgumentException bad) {
          throw new RelayKeysException(
              source, where + ": channelPatterns[" + p + "]", bad.getMessage());
        }
      }
      List<String> actions = requireStrings(source, where, entry, "actions", true);
      for (int a = 0; a < actions.size(); a++) {
        if (!RelayKey.ALL_ACTIONS.contains(actions.get(a))) {
          throw new RelayKeysException(
              source,
              where + ": actions[" + a + "]",
              "\""
                  + actions.get(a)
                  + "\" is not an action (expected one of "
                  + String.join(", ", RelayKey.ALL_ACTIONS)
                  + ")");
        }
      }
      List<String> origins =
          secret != null
              ? List.of()
              : entry.has("allowedOrigins")
                  ? requireStrings(source, where, entry, "allowedOrigins", false)
                  : List.of("*");
      keys.add(new RelayKey(id, secret, patterns, new LinkedHashSet<>(actions), origins));
    }
    return new RelayKeys(keys);
  }

  /** These keys in the file format, pretty-printed. */
  public String toJson() {
    JsonArray array = new JsonArray();
    for (RelayKey k : keys) {
      JsonObject o = new JsonObject();
      o.addProperty("id", k.id());
      if (k.isSecret()) {
        o.addProperty("secret", k.secret());
      }
      JsonArray patterns = new JsonArray();
      k.channelPatterns().forEach(patterns::add);
      o.add("channelPatterns", patterns);
      JsonArray actions = new JsonArray();
      RelayKey.ALL_ACTIONS.stream().filter(k.actions()::contains).forEach(actions::add);
      o.add("actions", actions);
      if (!k.isSecret()) {
        JsonArray origins = new JsonArray();
        k.allowedOrigins().forEach(origins::add);
        o.add("allowedOrigins", origins);
      }
      array.add(o);
    }
    JsonObject root = new JsonObject();
    root.add("keys", array);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  private static String requireString(String source, String where, JsonObject entry, String field) {
    JsonElement v = entry.get(field);
    if (v == null
        || !v.isJsonPrimitive()
        || !v.getAsJsonPrimitive().isString()
        || v.getAsString().isEmpty()) {
      throw new RelayKeysException(
          source, where + ": " + field, "expected a non-empty string, got " + describe(v));
    }
    return v.getAsString();
  }

  private static List<String> requireStrings(
      String source, String where, JsonObject entry, String field, boolean allowEmpty) {
    JsonElement v = entry.get(field);
    String expected = allowEmpty ? "an array of strings" : "a non-empty array of strings";
    if (v == null || !v.isJsonArray() || (!allowEmpty && v.getAsJsonArray().isEmpty())) {
      throw new RelayKeysException(
          source, where + ": " + field, "expected " + expected + ", got " + describe(v));
    }
    List<String> out = new ArrayList<>();
    JsonArray a = v.getAsJsonArray();
    for (int i = 0; i < a.size(); i++) {
      JsonElement item = a.get(i);
      if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
        throw new RelayKeysException(
            source,
            where + ": " + field + "[" + i + "]",
            "expected a string, got " + describe(item));
      }
      out.add(item.getAsString());
    }
    return out;
  }

  private static String describe(JsonElement v) {
    if (v == null) {
      return "nothing (the field is missing)";
    }
    if (v.isJsonNull()) {
      return "null";
    }
    if (v.isJsonArray()) {
      return v.getAsJsonArray().isEmpty() ? "an empty array" : "an array";
    }
    if (v.isJsonObject()) {
      return "an object";
    }
    JsonPrimitive p = v.getAsJsonPrimitive();
    String s = p.toString();
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static String randomHex(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
