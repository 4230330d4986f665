package io.outpost.agent.config;

import com.google.gson.JsonParseException;
import io.outpost.agent.internal.Json;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Loads the configuration: the main file, then {@code agent.d/*.json} beside it in name order (deep
 * merge: objects merge key by key, other values replace, {@code null} restores the default), then
 * {@code OUTPOST_…} environment variables. Validates everything and reports every problem at once
 * (each names the file or variable, the key and what was expected). Stateless; thread-safe.
 */
public final class ConfigLoader {
  /** Where a device keeps its configuration. */
  public static final Path DEFAULT_FILE = Path.of("/etc/outpost/agent.json");

  /**
   * Environment variables that start with {@code OUTPOST_} but belong to the launcher, not to the
   * config.
   */
  static final Set<String> LAUNCHER_VARIABLES = Set.of("OUTPOST_JAVA_OPTS", "OUTPOST_HOME");

  private static final Pattern ID = Pattern.compile("[\\x21-\\x7e&&[^/*\\\\]]{1,128}");

  private final Map<String, String> env;
  private final DeviceIdentity identity;

  /**
   * @param env the process environment (tests pass their own)
   * @param identity resolves {@code device.id = "auto"}
   */
  public ConfigLoader(Map<String, String> env, DeviceIdentity identity) {
    this.env = Map.copyOf(env);
    this.identity = identity;
  }

  /** A loader for this process: real environment, real device tree. */
  public static ConfigLoader system() {
    return new ConfigLoader(System.getenv(), DeviceIdentity.system());
  }

  /**
   * Loads and validates.
   *
   * @param file the main config file
   * @param requireNetwork whether a missing {@code network.token} is a problem (true for {@code
   *     run} and {@code check}; {@code sample} needs no network)
   * @throws ConfigInvalidException listing every problem found
   */
  public AgentConfig load(Path file, boolean requireNetwork) throws ConfigInvalidException {
    Problems problems = new Problems();
    Tree tree = new Tree();
    Path main = file.toAbsolutePath().normalize();
    readFile(main, tree, problems, true);
    if (problems.isEmpty() || Files.isRegularFile(main)) {
      Path dropIns = main.resolveSibling("agent.d");
      if (Files.isDirectory(dropIns)) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dropIns, "*.json")) {
          ds.forEach(files::add);
        } catch (IOException e) {
          problems.add(dropIns.toString(), "", "cannot list directory: " + e.getMessage());
        }
        files.sort(null);
        for (Path f : files) {
          readFile(f, tree, problems, false);
        }
      }
    }
    return finish(tree, problems, main.getParent(), requireNetwork);
  }

  /**
   * Validates a configuration given as a tree rather than a file (used by {@code outpost sample
   * --profile} and {@code outpost demo}); environment variables still apply.
   *
   * @param source names the tree in messages, e.g. {@code "built-in demo config"}
   */
  public AgentConfig load(
      Map<String, Object> values, String source, Path baseDir, boolean requireNetwork)
      throws ConfigInvalidException {
    Tree tree = new Tree();
    tree.merge(values, source);
    return finish(tree, new Problems(), baseDir, requireNetwork);
  }

  private AgentConfig finish(Tree tree, Problems problems, Path baseDir, boolean requireNetwork)
      throws ConfigInvalidException {
    applyEnvironment(tree, problems);
    if (!problems.isEmpty()) {
      // A file that does not parse makes every later message noise; report what we have.
      problems.throwIfAny();
    }
    checkUnknown(tree.root, "", tree, problems);
    AgentConfig config = new Reader(tree, problems, baseDir, requireNetwork).read();
    problems.throwIfAny();
    return config;
  }

  private static void readFile(Path f, Tree tree, Problems problems, boolean required) {
    String text;
    try {
      text = Files.readString(f, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      problems.add(
          f.toString(),
          "",
          required ? "no such file (give another with --config FILE)" : "no such file");
      return;
    } catch (IOException e) {
      problems.add(f.toString(), "", "cannot read: " + e.getMessage());
      return;
    }
    Object parsed;
    try {
      parsed = Json.toJava(Json.parseWithComments(text));
    } catch (JsonParseException e) {
      problems.add(f.toString(), "", "not valid JSON: " + cleanGsonMessage(e));
      return;
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      problems.add(f.toString(), "", "expected a JSON object at the top level");
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = (Map<String, Object>) m;
    tree.merge(obj, f.toString());
  }

  static String cleanGsonMessage(JsonParseException e) {
    String msg =
        e.getCause() != null && e.getCause().getMessage() != null
            ? e.getCause().getMessage()
            : e.getMessage();
    int see = msg == null ? -1 : msg.indexOf("\nSee https");
    return see >= 0 ? msg.substring(0, see) : String.valueOf(msg);
  }

  private void applyEnvironment(Tree tree, Problems problems) {
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith("OUTPOST_") || LAUNCHER_VARIABLES.contains(name)) {
        continue;
      }
      String where = "environment variable " + name;
      var key = ConfigSchema.forEnv(name);
      if (key.isEmpty()) {
        problems.add(
            where,
            "",
            "no such setting (each key has one, e.g. OUTPOST_DEVICE_ID for device.id; see docs/configuration.md)");
        continue;
      }
      Object value;
      String raw = e.getValue();
      switch (key.get().kind()) {
        case STRING, DURATION, SIZE, DEADBAND -> value = raw;
        default -> {
          try {
            value = Json.toJava(Json.parse(raw));
          } catch (JsonParseException ex) {
            if (key.get().kind() == ConfigSchema.Kind.STRING_LIST) {
              value = List.of(raw.split(","));
            } else {
              problems.add(
                  where,
                  key.get().path(),
                  "\""
                      + raw
                      + "\" is not valid JSON for this "
                      + key.get().kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                      + " key");
              continue;
            }
          }
        }
      }
      tree.set(key.get().path(), value, where);
    }
  }

  private static void checkUnknown(
      Map<String, Object> node, String prefix, Tree tree, Problems problems) {
    for (Map.Entry<String, Object> e : node.entrySet()) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      var key = ConfigSchema.key(path);
      if (key.isPresent()) {
        continue;
      }
      if (ConfigSchema.isSection(path)) {
        if (e.getValue() instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> child = (Map<String, Object>) m;
          checkUnknown(child, path, tree, problems);
        } else if (e.getValue() != null) {
          problems.add(
              tree.origin(path), path, "expected an object, got " + Json.kind(e.getValue()));
        }
        continue;
      }
      problems.add(
          tree.origin(path),
          path,
          "unknown key (expected one of " + ConfigSchema.children(prefix) + ")");
    }
  }

  /** The merged tree plus, for every path, the file or variable that set it last. */
  static final class Tree {
    final Map<String, Object> root = new LinkedHashMap<>();
    final Map<String, String> origins = new TreeMap<>();
    String mainFile;

    void merge(Map<String, Object> overlay, String source) {
      if (mainFile == null) {
        mainFile = source;
      }
      mergeInto(root, overlay, "", source);
    }

    @SuppressWarnings("unchecked")
    private void mergeInto(
        Map<String, Object> base, Map<String, Object> overlay, String prefix, String source) {
      for (Map.Entry<String, Object> e : overlay.entrySet()) {
        String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        Object v = e.getValue();
        Object existing = base.get(e.getKey());
        boolean freeForm =
            ConfigSchema.key(path).map(k -> k.kind() == ConfigSchema.Kind.TOKEN).orElse(false);
        if (v == null) {
          base.remove(e.getKey());
        } else if (!freeForm && v instanceof Map<?, ?> vm && existing instanceof Map<?, ?> em) {
          Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) em);
          mergeInto(copy, (Map<String, Object>) vm, path, source);
          base.put(e.getKey(), copy);
        } else {
          base.put(e.getKey(), v);
        }
        origins.put(path, source);
      }
    }

    @SuppressWarnings("unchecked")
    void set(String path, Object value, String source) {
      String[] segs = path.split("\\.");
      Map<String, Object> node = root;
      for (int i = 0; i < segs.length - 1; i++) {
        Object child = node.get(segs[i]);
        if (!(child instanceof Map)) {
          child = new LinkedHashMap<String, Object>();
        } else {
          child = new LinkedHashMap<>((Map<String, Object>) child);
        }
        node.put(segs[i], child);
        node = (Map<String, Object>) child;
      }
      node.put(segs[segs.length - 1], value);
      origins.put(path, source);
    }

    @SuppressWarnings("unchecked")
    Object get(String path) {
      Object node = root;
      for (String seg : path.split("\\.")) {
        if (!(node instanceof Map)) {
          return null;
        }
        node = ((Map<String, Object>) node).get(seg);
      }
      return node;
    }

    Map<String, String> originsWithMain() {
      Map<String, String> m = new TreeMap<>(origins);
      m.put("", mainFile == null ? "" : mainFile);
      return m;
    }

    String origin(String path) {
      return AgentConfig.nearestOrigin(origins, path, mainFile == null ? "" : mainFile);
    }
  }

  /** Typed, collecting reads from the merged tree. */
  private final class Reader {
    private final Tree tree;
    private final Problems problems;
    private final Path baseDir;
    private final boolean requireNetwork;

    Reader(Tree tree, Problems problems, Path baseDir, boolean requireNetwork) {
      this.tree = tree;
      this.problems = problems;
      this.baseDir = baseDir;
      this.requireNetwork = requireNetwork;
    }

    private Options at(String path) {
      Map<String, Object> single = new LinkedHashMap<>();
      single.put(path, tree.get(path));
      return new Options(tree.origin(path), single);
    }

    private void problem(String path, String text) {
      problems.add(tree.origin(path), path, text);
    }

    String str(String path, String def) {
      try {
        return at(path).string(path, def);
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    String choice(String path, String def, List<String> allowed) {
      try {
        return at(path).choice(path, def, allowed);
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    boolean bool(String path, boolean def) {
      try {
        return at(path).bool(path, def);
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    int integer(String path, int def, int min, int max) {
      try {
        return (int) at(path).integer(path, def, min, max);
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    double number(String path, double def, double min, double max) {
      try {
        double d = at(path).number(path, def);
        if (d < min || d > max) {
          problem(path, d + " out of range, expected " + min + ".." + max);
          return def;
        }
        return d;
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    Duration duration(String path, Duration def, boolean zeroAllowed) {
      try {
        Duration d = at(path).duration(path, def);
        if (!zeroAllowed && d.isZero()) {
          problem(path, "must be greater than 0");
          return def;
        }
        return d;
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    long size(String path, long def, long min) {
      try {
        long n = at(path).size(path, def);
        if (n < min) {
          problem(path, "must be at least " + min + " bytes, got " + n);
          return def;
        }
        return n;
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    List<String> strings(String path, List<String> def) {
      if (tree.get(path) == null) {
        return def;
      }
      try {
        return at(path).strings(path);
      } catch (ConfigException e) {
        problems.add(e);
        return def;
      }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String path) {
      Object v = tree.get(path);
      if (v == null) {
        return Map.of();
      }
      if (!(v instanceof Map)) {
        problem(path, "expected an object, got " + Json.kind(v));
        return Map.of();
      }
      return (Map<String, Object>) v;
    }

    Path path(String path, Path def) {
      String s = str(path, null);
      if (s == null) {
        return def;
      }
      if (s.isBlank()) {
        problem(path, "must not be empty");
        return def;
      }
      return baseDir.resolve(s).normalize();
    }

    AgentConfig read() {
      // device
      String id = str("device.id", "auto");
      if ("auto".equals(id)) {
        try {
          id = identity.resolve();
        } catch (IOException e) {
          problem(
              "device.id",
              "\"auto\" found no identity: " + e.getMessage() + "; set device.id explicitly");
          id = "unknown";
        }
      }
      if (!ID.matcher(id).matches()) {
        problem(
            "device.id",
            "\""
                + id
                + "\" is not usable in channel names (1..128 printable ASCII characters, no '/', '*' or '\\')");
      }
      String fleet = str("device.fleet", "default");
      if (!ID.matcher(fleet).matches()) {
        problem(
            "device.fleet",
            "\""
                + fleet
                + "\" is not usable in channel names (1..128 printable ASCII characters, no '/', '*' or '\\')");
      }
      Map<String, Object> metadata = object("device.metadata");

      // network
      URI url = readUrl();
      TokenSource token = null;
      Object tokenValue = tree.get("network.token");
      if (tokenValue == null) {
        if (requireNetwork) {
          problem(
              "network.token",
              "missing, expected one of {\"file\": PATH}, {\"command\": [ARGV…]}, {\"url\": URL, \"bearer\": …}, {\"value\": TOKEN}, {\"key\": \"pk_…\"}");
        }
      } else if (!(tokenValue instanceof Map)) {
        problem(
            "network.token",
            "expected an object such as {\"file\": \"/etc/outpost/token\"}, got "
                + Json.kind(Redactor.maskIfString(tokenValue)));
      } else {
        try {
          @SuppressWarnings("unchecked")
          Map<String, Object> tm = (Map<String, Object>) tokenValue;
          token =
              TokenSource.parse(
                  new Options(tree.origin("network.token") + ": network.token", tm), baseDir);
        } catch (ConfigException e) {
          problems.add(e);
        }
      }
      var network =
          new AgentConfig.Network(
              url,
              token,
              number("network.maxMessagesPerSecond", 50, 1, 1000),
              integer("network.maxInFlight", 16, 1, 256),
              duration("network.ackTimeout", Duration.ofSeconds(15), false),
              duration("network.reconnectMaxDelay", Duration.ofSeconds(60), false));

      String profile = str("profile", "simulated");
      Map<String, Map<String, Object>> overrides = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : object("sensors").entrySet()) {
        if (e.getValue() instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> mm = (Map<String, Object>) m;
          overrides.put(e.getKey(), mm);
        } else {
          problem(
              "sensors." + e.getKey(),
              "expected an object of option overrides such as {\"interval\": \"50ms\"}, got "
                  + Json.kind(e.getValue()));
        }
      }

      Path stateDir = path("stateDir", defaultStateDir());

      // telemetry
      double deadband = 0;
      double deadbandPct = Double.NaN;
      Object db = tree.get("telemetry.deadband");
      try {
        double[] parsed = Deadband.parse(db);
        deadband = parsed[0];
        deadbandPct = parsed[1];
      } catch (IllegalArgumentException e) {
        problem("telemetry.deadband", e.getMessage());
      }
      var telemetry =
          new AgentConfig.Telemetry(
              integer("telemetry.batch.maxRecords", 200, 1, 100_000),
              duration("telemetry.batch.maxDelay", Duration.ofSeconds(1), true),
              deadband,
              deadbandPct,
              duration("telemetry.minInterval", Duration.ZERO, true),
              duration("telemetry.maxInterval", Duration.ofMinutes(5), true),
              duration("telemetry.readTimeout", Duration.ofSeconds(5), false));

      var commands =
          new AgentConfig.Commands(
              bool("commands.enabled", true),
              strings("commands.allow", List.of("*")),
              strings("commands.allowFrom", List.of("system")),
              bool("commands.requireSignature", false),
              readKeys(),
              integer("commands.concurrency", 2, 1, 64),
              integer("commands.queue", 16, 0, 10_000),
              duration("commands.timeout", Duration.ofSeconds(30), false),
              size("commands.maxBytes", 16_000, 64),
              duration("commands.rememberFor", Duration.ofDays(7), false));
      if (commands.requireSignature() && commands.keys().isEmpty()) {
        problem(
            "commands.requireSignature",
            "is true but commands.keys is empty: no command could ever be accepted");
      }

      var buffer =
          new AgentConfig.Buffer(
              "durable"
                  .equals(choice("buffer.durability", "durable", List.of("durable", "memory"))),
              size("buffer.maxBytes", 64_000_000L, 4096),
              duration("buffer.maxAge", Duration.ofDays(7), false),
              duration("buffer.commitInterval", Duration.ofMillis(20), true),
              choice(
                  "buffer.overflow.telemetry", "dropOldest", List.of("dropOldest", "dropNewest")),
              choice("buffer.overflow.events", "keep", List.of("keep", "dropOldest")));

      var status =
          new AgentConfig.Status(
              duration("status.interval", Duration.ofSeconds(60), false),
              path("status.file", defaultStatusFile()),
              duration("status.fileInterval", Duration.ofSeconds(5), false));

      var log =
          new AgentConfig.Log(
              choice("log.level", "info", List.of("trace", "debug", "info", "warn", "error")),
              path("log.file", null));

      List<Path> pluginDirs = new ArrayList<>();
      for (String d :
          strings("plugins.dirs", List.of("/usr/lib/outpost/plugins", "/etc/outpost/plugins"))) {
        pluginDirs.add(baseDir.resolve(d).normalize());
      }
      var plugins = new AgentConfig.Plugins(List.copyOf(pluginDirs), object("plugins.config"));

      return new AgentConfig(
          id,
          fleet,
          metadata,
          network,
          profile,
          Map.copyOf(overrides),
          stateDir,
          telemetry,
          commands,
          buffer,
          status,
          log,
          plugins,
          baseDir,
          tree.root,
          tree.originsWithMain());
    }

    private URI readUrl() {
      String text = str("network.url", "wss://rms.metered.ca");
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        problem(
            "network.url",
            "\"" + text + "\" is not a URL (expected e.g. \"wss://rms.metered.ca\")");
        return URI.create("wss://rms.metered.ca");
      }
      String scheme = uri.getScheme();
      if (!"ws".equals(scheme) && !"wss".equals(scheme) || uri.getHost() == null) {
        problem(
            "network.url",
            "\"" + text + "\" must be a ws:// or wss:// origin such as \"wss://rms.metered.ca\"");
      } else if ("ws".equals(scheme) && !isLoopback(uri.getHost())) {
        problem(
            "network.url",
            "\""
                + text
                + "\" sends the token in clear; use wss:// (ws:// is allowed only to loopback)");
      } else if (uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath())) {
        problem(
            "network.url",
            "\"" + text + "\" must be the origin only; the client appends /v1 itself");
      }
      return uri;
    }

    private Map<String, Map<String, Object>> readKeys() {
      Map<String, Map<String, Object>> out = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : object("commands.keys").entrySet()) {
        String key = "commands.keys." + e.getKey();
        if (!(e.getValue() instanceof Map<?, ?> m)) {
          problem(
              key,
              "expected {\"alg\": \"HS256\", \"secret\": BASE64} or {\"alg\": \"EdDSA\", \"publicKey\": BASE64}");
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> km = (Map<String, Object>) m;
        Options o = new Options(tree.origin(key), km);
        try {
          String alg = o.choice("alg", null, List.of("HS256", "EdDSA"));
          if (alg == null) {
            throw new ConfigException(
                tree.origin(key), key + ".alg", "missing, expected \"HS256\" or \"EdDSA\"");
          }
          String field = "HS256".equals(alg) ? "secret" : "publicKey";
          o.allowOnly(Set.of("alg", field));
          String b64 = o.string(field);
          byte[] bytes;
          try {
            bytes = Base64.getDecoder().decode(b64.trim());
          } catch (IllegalArgumentException ex) {
            throw new ConfigException(tree.origin(key), key + "." + field, "is not base64");
          }
          if ("HS256".equals(alg) && bytes.length < 32) {
            throw new ConfigException(
                tree.origin(key),
                key + ".secret",
                "too short: " + bytes.length + " bytes, expected at least 32");
          }
          if ("EdDSA".equals(alg) && bytes.length != 32 && bytes.length != 44) {
            throw new ConfigException(
                tree.origin(key),
                key + ".publicKey",
                "expected a raw 32-byte Ed25519 key or its 44-byte X.509 encoding, got "
                    + bytes.length
                    + " bytes");
          }
          out.put(e.getKey(), km);
        } catch (ConfigException ex) {
          problems.add(
              ex.key().startsWith("commands.")
                  ? ex
                  : new ConfigException(ex.location(), key + "." + ex.key(), ex.problem()));
        }
      }
      return out;
    }

    private Path defaultStateDir() {
      String sd = env.get("STATE_DIRECTORY");
      if (sd != null && !sd.isBlank()) {
        return Path.of(sd.split(":")[0]);
      }
      return Path.of("/var/lib/outpost");
    }

    private Path defaultStatusFile() {
      String rd = env.get("RUNTIME_DIRECTORY");
      if (rd != null && !rd.isBlank()) {
        return Path.of(rd.split(":")[0], "status.json");
      }
      return Path.of("/run/outpost/status.json");
    }
  }

  static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }
}
