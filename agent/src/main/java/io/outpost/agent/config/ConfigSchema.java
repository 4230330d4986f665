package io.outpost.agent.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every configuration key the agent knows, with its kind. The loader rejects keys that are not here
 * (except inside the free-form objects), maps {@code OUTPOST_…} environment variables onto them,
 * and docs/configuration.md documents each of them (a test keeps the two in step).
 */
public final class ConfigSchema {

  /** How a key's value is written. */
  public enum Kind {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    DURATION,
    SIZE,
    STRING_LIST,
    /** A number or a percentage string such as {@code "2%"}. */
    DEADBAND,
    /**
     * An object whose keys the agent does not prescribe (metadata, per-sensor overrides, plugin
     * config).
     */
    FREE_OBJECT,
    /** {@code network.token}: exactly one source object, checked by {@link TokenSource#parse}. */
    TOKEN,
    /** {@code commands.keys}: kid → key object, checked by the command signature verifier. */
    KEYS
  }

  /** One key: its dotted path and kind. */
  public record Key(String path, Kind kind) {
    /** The environment variable that sets this key, e.g. {@code OUTPOST_BUFFER_MAX_BYTES}. */
    public String envName() {
      StringBuilder sb = new StringBuilder("OUTPOST");
      for (String seg : path.split("\\.")) {
        sb.append('_');
        for (char c : seg.toCharArray()) {
          if (Character.isUpperCase(c)) {
            sb.append('_');
          }
          sb.append(Character.toUpperCase(c));
        }
      }
      return sb.toString();
    }
  }

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  static {
    add("device.id", Kind.STRING);
    add("device.fleet", Kind.STRING);
    add("device.metadata", Kind.FREE_OBJECT);
    add("network.url", Kind.STRING);
    add("network.token", Kind.TOKEN);
    add("network.maxMessagesPerSecond", Kind.NUMBER);
    add("network.maxInFlight", Kind.INTEGER);
    add("network.ackTimeout", Kind.DURATION);
    add("network.reconnectMaxDelay", Kind.DURATION);
    add("profile", Kind.STRING);
    add("sensors", Kind.FREE_OBJECT);
    add("stateDir", Kind.STRING);
    add("telemetry.batch.maxRecords", Kind.INTEGER);
    add("telemetry.batch.maxDelay", Kind.DURATION);
    add("telemetry.deadband", Kind.DEADBAND);
    add("telemetry.minInterval", Kind.DURATION);
    add("telemetry.maxInterval", Kind.DURATION);
    add("telemetry.readTimeout", Kind.DURATION);
    add("commands.enabled", Kind.BOOLEAN);
    add("commands.allow", Kind.STRING_LIST);
    add("commands.allowFrom", Kind.STRING_LIST);
    add("commands.requireSignature", Kind.BOOLEAN);
    add("commands.keys", Kind.KEYS);
    add("commands.concurrency", Kind.INTEGER);
    add("commands.queue", Kind.INTEGER);
    add("commands.timeout", Kind.DURATION);
    add("commands.maxBytes", Kind.SIZE);
    add("commands.rememberFor", Kind.DURATION);
    add("buffer.durability", Kind.STRING);
    add("buffer.maxBytes", Kind.SIZE);
    add("buffer.maxAge", Kind.DURATION);
    add("buffer.commitInterval", Kind.DURATION);
    add("buffer.overflow.telemetry", Kind.STRING);
    add("buffer.overflow.events", Kind.STRING);
    add("status.interval", Kind.DURATION);
    add("status.file", Kind.STRING);
    add("status.fileInterval", Kind.DURATION);
    add("log.level", Kind.STRING);
    add("log.file", Kind.STRING);
    add("plugins.dirs", Kind.STRING_LIST);
    add("plugins.config", Kind.FREE_OBJECT);
    // Owned and validated by the MQTT bridge (AgentServiceFactory#validate), docs/bridge.md.
    add("bridge", Kind.FREE_OBJECT);
  }

  private ConfigSchema() {}

  private static void add(String path, Kind kind) {
    KEYS.put(path, new Key(path, kind));
  }

  /** All keys in documentation order. */
  public static List<Key> keys() {
    return List.copyOf(KEYS.values());
  }

  public static Optional<Key> key(String path) {
    return Optional.ofNullable(KEYS.get(path));
  }

  /**
   * Whether {@code path} names an object that contains known keys (e.g. {@code "telemetry.batch"}).
   */
  public static boolean isSection(String path) {
    String prefix = path + ".";
    return KEYS.keySet().stream().anyMatch(k -> k.startsWith(prefix));
  }

  /** The known children of a section, for "expected one of" hints. */
  public static List<String> children(String section) {
    String prefix = section.isEmpty() ? "" : section + ".";
    List<String> out = new ArrayList<>();
    for (String k : KEYS.keySet()) {
      if (k.startsWith(prefix)) {
        String rest = k.substring(prefix.length());
        String child = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
        if (!out.contains(child)) {
          out.add(child);
        }
      }
    }
    return out;
  }

  /** The key an {@code OUTPOST_…} variable sets, if any. */
  public static Optional<Key> forEnv(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return KEYS.values().stream().filter(k -> k.envName().equals(upper)).findFirst();
  }
}
