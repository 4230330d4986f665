package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Every configuration key the agent knows, defined once as data: path, kind, default, allowed range
 * and its documentation. The loader reads and checks each key from here (defaults and ranges are
 * nowhere else), rejects keys that are not here (except inside the free-form objects) and maps
 * {@code OUTPOST_…} environment variables onto them; the key tables of docs/configuration.md are
 * {@link Key#markdownRow()} and config/agent.json holds the defaults (ConfigDocsTest keeps both
 * equal to this class).
 */
public final class ConfigSchema {

  /** How a key's value is written. */
  public enum Kind {
    STRING("string"),
    /** A file or directory; relative paths resolve against the main file's directory. */
    PATH("path"),
    /** One string of a fixed set. */
    CHOICE("string"),
    INTEGER("integer"),
    NUMBER("number"),
    BOOLEAN("boolean"),
    DURATION("duration"),
    SIZE("size"),
    STRING_LIST("list of strings"),
    /** A number or a percentage string such as {@code "2%"}. */
    DEADBAND("number or percent"),
    /**
     * An object whose keys the agent does not prescribe (metadata, per-sensor overrides, plugin
     * config).
     */
    FREE_OBJECT("object"),
    /** {@code network.token}: exactly one source object, checked by {@link TokenSource#parse}. */
    TOKEN("object"),
    /** {@code commands.keys}: kid → key object, decoded by {@link SigningKeys#parse}. */
    KEYS("object");

    private final String docName;

    Kind(String docName) {
      this.docName = docName;
    }

    /** The type as docs/configuration.md names it. */
    public String docName() {
      return docName;
    }

    /** Whether an environment variable's text is the value itself (not JSON). */
    boolean literalInEnvironment() {
      return this == STRING
          || this == PATH
          || this == CHOICE
          || this == DURATION
          || this == SIZE
          || this == DEADBAND;
    }
  }

  /**
   * What values a key accepts beyond its kind. {@link #check} returns the problem or null; keys
   * with a {@link #described} range are checked by the loader's own code (the text documents it).
   */
  public record Range(Double min, Double max, List<String> choices, String text) {
    static final Range NONE = new Range(null, null, List.of(), "");

    static Range between(double min, double max) {
      return new Range(min, max, List.of(), num(min) + ".." + num(max));
    }

    static Range atLeastBytes(long min) {
      return new Range((double) min, null, List.of(), "≥ " + min + " bytes");
    }

    /** Durations: {@code > 0} when {@code zeroAllowed} is false. */
    static Range duration(boolean zeroAllowed) {
      return new Range(
          zeroAllowed ? 0.0 : Double.MIN_VALUE, null, List.of(), zeroAllowed ? "≥ 0s" : "> 0s");
    }

    static Range oneOf(List<String> choices) {
      return new Range(
          null,
          null,
          List.copyOf(choices),
          choices.isEmpty() ? "" : "`" + String.join("`, `", choices) + "`");
    }

    static Range described(String text) {
      return new Range(null, null, List.of(), text);
    }

    /** The problem with the typed {@code value}, or null when it is in range. */
    String check(Object value) {
      if (value instanceof Duration d) {
        return min != null && min > 0 && d.isZero() ? "must be greater than 0" : null;
      }
      if (value instanceof Long n && min != null) {
        return n < min ? "must be at least " + min.longValue() + " bytes, got " + n : null;
      }
      if (value instanceof Number n && min != null && max != null) {
        double d = n.doubleValue();
        return d < min || d > max
            ? num(d) + " out of range, expected " + num(min) + ".." + num(max)
            : null;
      }
      return null;
    }

    private static String num(double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
  }

  /**
   * One key.
   *
   * @param path dotted path, e.g. {@code buffer.maxBytes}
   * @param def the default as it is written in a file ({@code "64MB"}, {@code 16}, {@code ["*"]}),
   *     null when there is none
   * @param docDefault how the docs state the default when it depends on the environment, else null
   * @param doc the key's one-line documentation (the last column of its docs table row)
   */
  public record Key(
      String path, Kind kind, Object def, Range range, String docDefault, String doc) {
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

    /**
     * Reads this key's value from its JSON-like {@code raw} form ({@code null}: the default) and
     * checks its kind and range. The result is String (string, path, choice), Integer, Double,
     * Boolean, Duration, Long (size), {@code List<String>}, {@code double[]} (deadband: absolute,
     * percent) or {@code Map} (objects).
     *
     * @param origin the file or variable that set it, for the message
     */
    public Object read(Object raw, String origin) throws ConfigException {
      Object v = raw == null ? def : raw;
      Options o = new Options(origin, v == null ? Map.of() : Map.of(path, v));
      Object typed =
          switch (kind) {
            case STRING, PATH -> o.string(path, null);
            case CHOICE -> o.choice(path, null, range.choices());
            case INTEGER ->
                (int)
                    o.integer(
                        path,
                        0,
                        range.min() == null ? Integer.MIN_VALUE : range.min().longValue(),
                        range.max() == null ? Integer.MAX_VALUE : range.max().longValue());
            case NUMBER -> v == null ? null : o.number(path);
            case BOOLEAN -> v == null ? null : o.bool(path);
            case DURATION -> v == null ? null : o.duration(path);
            case SIZE -> v == null ? null : o.size(path, 0);
            case STRING_LIST -> v == null ? null : nonEmptyEntries(o.strings(path), origin);
            case DEADBAND -> {
              try {
                yield Deadband.parse(v);
              } catch (IllegalArgumentException e) {
                throw new ConfigException(origin, path, e.getMessage());
              }
            }
            case FREE_OBJECT, TOKEN, KEYS -> {
              if (v != null && !(v instanceof Map)) {
                throw new ConfigException(origin, path, "expected an object, got " + kindOf(v));
              }
              yield v == null ? Map.of() : v;
            }
          };
      String problem = typed == null ? null : range.check(typed);
      if (problem != null) {
        throw new ConfigException(origin, path, problem);
      }
      return typed;
    }

    private List<String> nonEmptyEntries(List<String> list, String origin) throws ConfigException {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).isBlank()) {
          throw new ConfigException(
              origin, path + "[" + i + "]", "is empty, expected a non-empty string");
        }
      }
      return list;
    }

    /** The default as docs/configuration.md states it. */
    public String defaultText() {
      if (docDefault != null) {
        return docDefault;
      }
      return def == null ? "none" : "`" + literal(def) + "`";
    }

    /** This key's row in its docs/configuration.md table. */
    public String markdownRow() {
      return "| `"
          + path
          + "` | "
          + kind.docName()
          + " | "
          + defaultText()
          + " | "
          + (range.text().isEmpty() ? "any" : range.text())
          + " | "
          + doc
          + " |";
    }
  }

  /** The header every key table of docs/configuration.md starts with. */
  public static final String TABLE_HEADER =
      "| Key | Type | Default | Allowed | Meaning |\n|---|---|---|---|---|";

  private static final String ID_RULE = "1..128 printable ASCII, no `/`, `*`, `\\`";
  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  static {
    key(
        "device.id",
        Kind.STRING,
        "auto",
        Range.described(ID_RULE),
        "The device id, also its peerId and part of its channel names. `\"auto\"`: the Raspberry Pi serial number from `/proc/device-tree/serial-number` (or `/sys/firmware/devicetree/base/serial-number`), else `/etc/machine-id`.");
    key(
        "device.fleet",
        Kind.STRING,
        "default",
        Range.described(ID_RULE),
        "The fleet; fleet-wide commands arrive on `fleets/<fleet>/commands`.");
    key(
        "device.metadata",
        Kind.FREE_OBJECT,
        Map.of(),
        Range.NONE,
        "Free-form facts about the device (site, owner…), published in every status message.");
    key(
        "network.url",
        Kind.STRING,
        "wss://rms.metered.ca",
        Range.described(
            "a `wss://` origin; `ws://` only to `localhost` or a literal loopback address"),
        "The server origin, e.g. `wss://rms.metered.ca` or `ws://127.0.0.1:8787`; the client appends `/v1`. `ws://` is refused elsewhere because the token travels in the URL; a name such as `127.example.com` is not loopback.");
    add(
        new Key(
            "network.token",
            Kind.TOKEN,
            null,
            Range.described("one of the forms below"),
            "none (required by `run`; `check --offline` does without)",
            "Where the credential comes from. Fetched again for every connection attempt, so a rotated file or a short-lived token just works."));
    key(
        "network.maxMessagesPerSecond",
        Kind.NUMBER,
        50L,
        Range.between(1, 1000),
        "Upper bound of messages the uplink sends per second. Keep it below the server's per-connection limit (100/s on Metered and the relay). Backlog replay after a reconnect uses what live data leaves of it, packing stored messages into replay envelopes that count as one message each.");
    key(
        "network.maxInFlight",
        Kind.INTEGER,
        16L,
        Range.between(1, 256),
        "Publishes waiting for their ack at one time; a replay envelope counts as one, and at most four envelopes wait at once.");
    key(
        "network.ackTimeout",
        Kind.DURATION,
        "15s",
        Range.duration(false),
        "How long to wait for the server's ack before a publish counts as failed (and is retried).");
    key(
        "network.reconnectMaxDelay",
        Kind.DURATION,
        "60s",
        Range.duration(false),
        "Cap of the reconnect backoff. The agent reconnects forever.");
    key(
        "profile",
        Kind.STRING,
        "simulated",
        Range.NONE,
        "A bundled profile name (`outpost profiles` lists them) or a path to a profile JSON file (contains `/` or ends in `.json`).");
    key(
        "sensors",
        Kind.FREE_OBJECT,
        Map.of(),
        Range.NONE,
        "Per-sensor overrides by sensor name, merged over the profile's entry: `{\"ctr\": {\"interval\": \"50ms\"}, \"env\": {\"deadband\": \"2%\"}}`. Naming a sensor the profile does not have is an error; `name` and `type` cannot be overridden.");
    add(
        new Key(
            "stateDir",
            Kind.PATH,
            "/var/lib/outpost",
            Range.described("a writable directory"),
            "`$STATE_DIRECTORY` (systemd `StateDirectory=`), else `\"/var/lib/outpost\"`",
            "Where the outbox (`outbox.db`), the stream id and remembered command results live. Created if missing; `check` reports one that is a file or not writable."));
    key(
        "telemetry.batch.maxRecords",
        Kind.INTEGER,
        200L,
        Range.between(1, 100_000),
        "Records per telemetry message at most. A batch is also cut before it would exceed the server's `maxMessageSize` (from its welcome; 64 KB on Metered).");
    key(
        "telemetry.batch.maxDelay",
        Kind.DURATION,
        "1s",
        Range.duration(true),
        "A record waits at most this long for others to share its message. `\"0s\"`: one message per record.");
    key(
        "telemetry.deadband",
        Kind.DEADBAND,
        0L,
        Range.described("≥ 0, or a percentage"),
        "Default deadband of every sensor. `0` reports every sample of a number.");
    key(
        "telemetry.minInterval",
        Kind.DURATION,
        "0s",
        Range.duration(true),
        "Default least time between two reports of one record.");
    key(
        "telemetry.maxInterval",
        Kind.DURATION,
        "5m",
        Range.duration(true),
        "Default heartbeat: an unchanged value is still reported this often (`\"0s\"` = never).");
    key(
        "telemetry.readTimeout",
        Kind.DURATION,
        "5s",
        Range.duration(false),
        "Default per-read timeout.");
    key(
        "commands.enabled",
        Kind.BOOLEAN,
        true,
        Range.NONE,
        "Subscribe to `fleets/<fleet>/commands` and `devices/<id>/commands`. Direct messages are handled either way (they are answered, subject to the rules below).");
    key(
        "commands.allow",
        Kind.STRING_LIST,
        List.of("*"),
        Range.described("non-empty names"),
        "Command names that may run; `*` matches any run of characters (`\"output.*\"`). Others get `rejected` / `not_allowed`. Leave `output.set` out to make the device's outputs read-only from the fleet.");
    key(
        "commands.allowFrom",
        Kind.STRING_LIST,
        List.of("system"),
        Range.described("non-empty peerIds"),
        "Sender peerIds whose commands are accepted (`*` wildcards). The default admits commands published through the REST API (`from` = `\"system\"`) and refuses commands published by devices or other WebSocket peers.");
    key(
        "commands.requireSignature",
        Kind.BOOLEAN,
        false,
        Range.NONE,
        "Accept only commands carried as a compact JWS signed by a key in `commands.keys`.");
    key(
        "commands.keys",
        Kind.KEYS,
        Map.of(),
        Range.described("HS256 secret ≥ 32 bytes; Ed25519 key of 32 or 44 bytes"),
        "Signing keys by `kid`: `{\"ops\": {\"alg\": \"HS256\", \"secret\": BASE64}}` or `{\"ops2\": {\"alg\": \"EdDSA\", \"publicKey\": BASE64 (raw 32-byte Ed25519 key or its X.509 encoding)}}`. Decoded once when the configuration is loaded; signed commands are verified even when signatures are not required.");
    key(
        "commands.concurrency",
        Kind.INTEGER,
        2L,
        Range.between(1, 64),
        "Commands running at the same time.");
    key(
        "commands.queue",
        Kind.INTEGER,
        16L,
        Range.between(0, 10_000),
        "Commands waiting for a worker; beyond that they are `rejected` with `busy`.");
    key(
        "commands.timeout",
        Kind.DURATION,
        "30s",
        Range.duration(false),
        "A handler still running after this is interrupted; the result is `failed` / `timeout`.");
    key(
        "commands.maxBytes",
        Kind.SIZE,
        "16KB",
        Range.atLeastBytes(64),
        "Larger command messages are `rejected` with `too_large` (or logged, without an id).");
    key(
        "commands.rememberFor",
        Kind.DURATION,
        "7d",
        Range.duration(false),
        "How long results are kept for duplicate detection (across restarts); older ones are"
            + " pruned at start and every hour.");
    key(
        "buffer.durability",
        Kind.CHOICE,
        "durable",
        Range.oneOf(List.of("durable", "memory")),
        "`durable`: SQLite in `stateDir` (survives crashes and restarts). `memory`: nothing survives a restart.");
    key(
        "buffer.maxBytes",
        Kind.SIZE,
        "64MB",
        Range.atLeastBytes(4096),
        "Bound of the stored messages. Above it the overflow policy applies and a `buffer.dropped` message says what was dropped.");
    key(
        "buffer.maxAge",
        Kind.DURATION,
        "7d",
        Range.duration(false),
        "Telemetry older than this is dropped (announced like any drop).");
    key(
        "buffer.commitInterval",
        Kind.DURATION,
        "20ms",
        Range.duration(true),
        "Group commit: messages arriving within this window share one transaction. `\"0s\"` commits each message alone (more disk writes).");
    key(
        "buffer.writeDelay",
        Kind.DURATION,
        "5s",
        Range.duration(true),
        "A message is written to the store only if the server has not acknowledged it within this window (an acked one never touches the disk); while the link is down messages are written as they come. A `kill -9` or power cut loses at most this window of unacknowledged messages, announced (`uncleanStop`). `\"0s\"` writes every message at once.");
    key(
        "buffer.overflow.telemetry",
        Kind.CHOICE,
        "dropOldest",
        Range.oneOf(List.of("dropOldest", "dropNewest")),
        "What happens to telemetry when the buffer is full: `dropOldest` drops the oldest stored telemetry to make room; `dropNewest` refuses new telemetry and keeps what is stored.");
    key(
        "buffer.overflow.events",
        Kind.CHOICE,
        "keep",
        Range.oneOf(List.of("keep", "dropOldest")),
        "Events, status messages and command results: `keep` (never dropped for space; may exceed the bound) or `dropOldest` (dropped after all telemetry is gone).");
    key(
        "status.interval",
        Kind.DURATION,
        "60s",
        Range.duration(false),
        "A `status` message is published on every connect and this often. It carries the sensors' states and, on a device with `gpio-out` sensors, `outputs` (name → `true`/`false`, `null` while not running).");
    add(
        new Key(
            "status.file",
            Kind.PATH,
            "/run/outpost/status.json",
            Range.NONE,
            "`$RUNTIME_DIRECTORY/status.json` (systemd `RuntimeDirectory=`), else `\"/run/outpost/status.json\"`",
            "The runtime status file `outpost health` reads (written atomically)."));
    key(
        "status.fileInterval",
        Kind.DURATION,
        "5s",
        Range.duration(false),
        "How often the status file is rewritten; `outpost health` calls a file older than 3× this (at least 15 s) stale.");
    key(
        "log.level",
        Kind.CHOICE,
        "info",
        Range.oneOf(List.of("trace", "debug", "info", "warn", "error")),
        "Least severity that is logged.");
    key(
        "log.file",
        Kind.PATH,
        null,
        Range.NONE,
        "Log to this file instead of standard error (journald under systemd).");
    key(
        "plugins.dirs",
        Kind.STRING_LIST,
        List.of("/usr/lib/outpost/plugins", "/etc/outpost/plugins"),
        Range.NONE,
        "Directories searched for plugin jars (missing directories are skipped). A jar that fails to load is reported as a warning by `check` and `run`; the others still load. Plugin sensor types and command handlers work exactly like built-in ones (built-in names win on a clash).");
    key(
        "plugins.config",
        Kind.FREE_OBJECT,
        Map.of(),
        Range.NONE,
        "Settings for plugins. A long-running plugin service gets `plugins.config.<service name>` as its options when it starts; command handler and service factories see the whole object and pick their own section. Plugin *sensors* are configured in the profile like any sensor.");
    // Owned and validated by the MQTT bridge (AgentServiceFactory#validate): docs/bridge.md.
    key(
        "bridge",
        Kind.FREE_OBJECT,
        null,
        Range.NONE,
        "The MQTT bridge: a local broker's messages to the network (`out` rules) and network messages and commands to the broker (`in` rules). Validated by the bridge itself (`check` and `run` print its problems with the rule index and field); every key is in docs/bridge.md, e.g. `bridge.queue.maxBytes` (default `\"4MB\"`: the durable queue of messages for a broker that is down, oldest dropped beyond and announced as `buffer.dropped` with reason `bridgeQueueFull`). Absent or `\"enabled\": false`: no bridge.");
  }

  private ConfigSchema() {}

  private static void key(String path, Kind kind, Object def, Range range, String doc) {
    add(new Key(path, kind, def, range, null, doc));
  }

  private static void add(Key k) {
    KEYS.put(k.path(), k);
  }

  /** All keys in documentation order. */
  public static List<Key> keys() {
    return List.copyOf(KEYS.values());
  }

  public static Optional<Key> key(String path) {
    return Optional.ofNullable(KEYS.get(path));
  }

  /** The key at {@code path}; a path that is not in the catalogue is a bug in the caller. */
  static Key require(String path) {
    Key k = KEYS.get(path);
    if (k == null) {
      throw new IllegalArgumentException("no configuration key " + path);
    }
    return k;
  }

  /**
   * Whether {@code path} names an object that contains known keys (e.g. {@code "telemetry.batch"}).
   */
  public static boolean isSection(String path) {
    String prefix = path + ".";
    for (String k : KEYS.keySet()) {
      if (k.startsWith(prefix)) {
        return true;
      }
    }
    return false;
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
    for (Key k : KEYS.values()) {
      if (k.envName().equals(upper)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** A JSON-like value written as in a file, lists with ", " between items. */
  static String literal(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof List<?> l) {
      StringJoiner items = new StringJoiner(", ", "[", "]");
      for (Object item : l) {
        items.add(literal(item));
      }
      return items.toString();
    }
    if (v instanceof Map<?, ?> m) {
      return m.isEmpty() ? "{}" : m.toString();
    }
    return String.valueOf(v);
  }

  static String kindOf(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "a list";
    }
    return String.valueOf(v);
  }
}
