package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.ReconnectPolicy;
import io.outpost.realtime.TokenProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads the configuration from its {@linkplain ConfigSources sources}, reads every key of the
 * {@linkplain ConfigSchema catalogue} with its default and range, and builds what the agent runs
 * with — including the realtime client's {@link RealtimeConfig} and the decoded {@link SigningKeys}
 * — so that whatever {@code run} would reject, {@code check} reports first, at the key. Reports
 * every problem at once (each names the file or variable, the key and what was expected).
 * Stateless; thread-safe.
 */
public final class ConfigLoader {
  /** Where a device keeps its configuration. */
  public static final Path DEFAULT_FILE = Path.of("/etc/outpost/agent.json");

  private static final Pattern ID = Pattern.compile("[\\x21-\\x7e&&[^/*\\\\]]{1,128}");

  /**
   * Stands in for the token provider until the uplink attaches the one that fetches {@code
   * network.token}; it is never asked for a token.
   */
  private static final TokenProvider UNATTACHED =
      TokenProvider.blocking(
          () -> {
            throw new IllegalStateException("network.token: no token fetcher attached");
          });

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
   *     run}; {@code sample} and {@code check --offline} need no network)
   * @throws ConfigInvalidException listing every problem found
   */
  public AgentConfig load(Path file, boolean requireNetwork) throws ConfigInvalidException {
    Problems problems = new Problems();
    ConfigTree tree = new ConfigTree();
    Path main = file.toAbsolutePath().normalize();
    boolean mainRead = ConfigSources.readFiles(main, tree, problems);
    boolean environmentRead = ConfigSources.applyEnvironment(env, tree, problems);
    if (!mainRead || !environmentRead) {
      // Without the main file every default would be checked against nothing, and a misnamed or
      // malformed variable leaves values in place that the operator meant to replace: report the
      // sources. A broken drop-in is only left out; the rest is still checked.
      problems.throwIfAny();
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
    ConfigTree tree = new ConfigTree();
    tree.merge(values, source);
    Problems problems = new Problems();
    if (!ConfigSources.applyEnvironment(env, tree, problems)) {
      problems.throwIfAny();
    }
    return finish(tree, problems, baseDir, requireNetwork);
  }

  private AgentConfig finish(
      ConfigTree tree, Problems problems, Path baseDir, boolean requireNetwork)
      throws ConfigInvalidException {
    checkUnknown(tree.root, "", tree, problems);
    AgentConfig config = new Reader(tree, problems, baseDir, requireNetwork).read();
    problems.throwIfAny();
    return config;
  }

  private static void checkUnknown(
      Map<String, Object> node, String prefix, ConfigTree tree, Problems problems) {
    for (Map.Entry<String, Object> e : node.entrySet()) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (ConfigSchema.key(path).isPresent()) {
        continue;
      }
      if (ConfigSchema.isSection(path)) {
        if (e.getValue() instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> child = (Map<String, Object>) m;
          checkUnknown(child, path, tree, problems);
        } else if (e.getValue() != null) {
          problems.add(
              tree.origin(path),
              path,
              "expected an object, got " + ConfigSchema.kindOf(e.getValue()));
        }
        continue;
      }
      problems.add(
          tree.origin(path),
          path,
          "unknown key (expected one of " + ConfigSchema.children(prefix) + ")");
    }
  }

  /**
   * Reads each key through {@link ConfigSchema.Key#read} (a bad value is one problem and its
   * default stands in), then the checks that span keys.
   */
  private final class Reader {
    private final ConfigTree tree;
    private final Problems problems;
    private final Path baseDir;
    private final boolean requireNetwork;

    Reader(ConfigTree tree, Problems problems, Path baseDir, boolean requireNetwork) {
      this.tree = tree;
      this.problems = problems;
      this.baseDir = baseDir;
      this.requireNetwork = requireNetwork;
    }

    private void problem(String path, String text) {
      problems.add(tree.origin(path), path, text);
    }

    /** The typed value of {@code path}; on a problem, its default. */
    @SuppressWarnings("unchecked")
    private <T> T get(String path) {
      ConfigSchema.Key key = ConfigSchema.require(path);
      try {
        return (T) key.read(tree.get(path), tree.origin(path));
      } catch (ConfigException e) {
        problems.add(e);
        try {
          return (T) key.read(null, "");
        } catch (ConfigException bug) {
          throw new IllegalStateException("default of " + path + " is invalid", bug);
        }
      }
    }

    private Path path(String path, Path def) {
      String s = tree.get(path) == null ? null : get(path);
      if (s == null) {
        return def;
      }
      if (s.isBlank()) {
        problem(path, "must not be empty");
        return def;
      }
      return baseDir.resolve(s).normalize();
    }

    private String channelId(String path) {
      String id = get(path);
      if ("device.id".equals(path) && "auto".equals(id)) {
        try {
          id = identity.resolve();
        } catch (IOException e) {
          problem(
              path, "\"auto\" found no identity: " + e.getMessage() + "; set device.id explicitly");
          return "unknown";
        }
      }
      if (!ID.matcher(id).matches()) {
        problem(
            path,
            "\""
                + id
                + "\" is not usable in channel names (1..128 printable ASCII characters, no '/', '*' or '\\')");
      }
      return id;
    }

    AgentConfig read() {
      String id = channelId("device.id");
      String fleet = channelId("device.fleet");
      Map<String, Object> metadata = get("device.metadata");

      TokenSource token = readToken();
      Duration ackTimeout = get("network.ackTimeout");
      Duration reconnectMaxDelay = get("network.reconnectMaxDelay");
      URI url = readUrl();
      double maxMessagesPerSecond = get("network.maxMessagesPerSecond");
      var network =
          new AgentConfig.Network(
              url,
              token,
              maxMessagesPerSecond,
              get("network.maxInFlight"),
              ackTimeout,
              reconnectMaxDelay,
              client(url, token, ackTimeout, reconnectMaxDelay, maxMessagesPerSecond));

      String profile = get("profile");
      Map<String, Map<String, Object>> overrides = new LinkedHashMap<>();
      Map<String, Object> sensors = get("sensors");
      for (Map.Entry<String, Object> e : sensors.entrySet()) {
        if (e.getValue() instanceof Map<?, ?> m) {
          @SuppressWarnings("unchecked")
          Map<String, Object> mm = (Map<String, Object>) m;
          overrides.put(e.getKey(), mm);
        } else {
          problem(
              "sensors." + e.getKey(),
              "expected an object of option overrides such as {\"interval\": \"50ms\"}, got "
                  + ConfigSchema.kindOf(e.getValue()));
        }
      }

      Path stateDir = path("stateDir", defaultStateDir());

      double[] deadband = get("telemetry.deadband");
      var telemetry =
          new AgentConfig.Telemetry(
              get("telemetry.batch.maxRecords"),
              get("telemetry.batch.maxDelay"),
              deadband[0],
              deadband[1],
              get("telemetry.minInterval"),
              get("telemetry.maxInterval"),
              get("telemetry.readTimeout"));

      Map<String, Object> rawKeys = get("commands.keys");
      SigningKeys signing = SigningKeys.parse(rawKeys, tree.origin("commands.keys"), problems);
      Map<String, Map<String, Object>> keyMaps = new LinkedHashMap<>();
      rawKeys.forEach(
          (kid, v) -> {
            if (v instanceof Map<?, ?> m) {
              @SuppressWarnings("unchecked")
              Map<String, Object> km = (Map<String, Object>) m;
              keyMaps.put(kid, km);
            }
          });
      var commands =
          new AgentConfig.Commands(
              get("commands.enabled"),
              get("commands.allow"),
              get("commands.allowFrom"),
              get("commands.requireSignature"),
              keyMaps,
              get("commands.concurrency"),
              get("commands.queue"),
              get("commands.timeout"),
              get("commands.maxBytes"),
              get("commands.rememberFor"),
              signing);
      if (commands.requireSignature() && rawKeys.isEmpty()) {
        problem(
            "commands.requireSignature",
            "is true but commands.keys is empty: no command could ever be accepted");
      }

      var buffer =
          new AgentConfig.Buffer(
              "durable".equals(get("buffer.durability")),
              get("buffer.maxBytes"),
              get("buffer.maxAge"),
              get("buffer.commitInterval"),
              get("buffer.overflow.telemetry"),
              get("buffer.overflow.events"),
              get("buffer.writeDelay"));

      var status =
          new AgentConfig.Status(
              get("status.interval"),
              path("status.file", defaultStatusFile()),
              get("status.fileInterval"));

      var log = new AgentConfig.Log(get("log.level"), path("log.file", null));

      List<Path> pluginDirs = new ArrayList<>();
      for (String d : this.<List<String>>get("plugins.dirs")) {
        pluginDirs.add(baseDir.resolve(d).normalize());
      }
      var plugins = new AgentConfig.Plugins(List.copyOf(pluginDirs), get("plugins.config"));

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

    private TokenSource readToken() {
      Object tokenValue = tree.get("network.token");
      if (tokenValue == null) {
        if (requireNetwork) {
          problem(
              "network.token",
              "missing, expected one of {\"file\": PATH}, {\"command\": [ARGV…]}, {\"url\": URL, \"bearer\": …}, {\"value\": TOKEN}, {\"key\": \"pk_…\"}");
        }
        return null;
      }
      if (!(tokenValue instanceof Map<?, ?> tm)) {
        problem(
            "network.token",
            "expected an object such as {\"file\": \"/etc/outpost/token\"}, got "
                + ConfigSchema.kindOf(Redactor.maskIfString(tokenValue)));
        return null;
      }
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) tm;
        return TokenSource.parse(
            new Options(tree.origin("network.token") + ": network.token", m), baseDir);
      } catch (ConfigException e) {
        problems.add(e);
        return null;
      }
    }

    /**
     * The friendly checks of {@code network.url}; the client's own rules apply again when {@link
     * #client} builds its configuration.
     */
    private URI readUrl() {
      String text = get("network.url");
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        problem(
            "network.url",
            "\"" + text + "\" is not a URL (expected e.g. \"wss://rms.metered.ca\")");
        return null;
      }
      String scheme = uri.getScheme();
      if (!"ws".equals(scheme) && !"wss".equals(scheme) || uri.getHost() == null) {
        problem(
            "network.url",
            "\"" + text + "\" must be a ws:// or wss:// origin such as \"wss://rms.metered.ca\"");
        return null;
      }
      if ("ws".equals(scheme) && !RealtimeConfig.isLoopbackHost(uri.getHost())) {
        problem(
            "network.url",
            "\""
                + text
                + "\" sends the token in clear; use wss:// (ws:// is allowed only to loopback)");
        return null;
      }
      if (uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath())) {
        problem(
            "network.url",
            "\"" + text + "\" must be the origin only; the client appends /v1 itself");
        return null;
      }
      return uri;
    }

    /**
     * The realtime client's configuration exactly as {@code run} uses it; what the client rejects
     * is reported at the key it came from. Null when {@code network.url} is already reported.
     */
    private RealtimeConfig client(
        URI url,
        TokenSource token,
        Duration ackTimeout,
        Duration reconnectMaxDelay,
        double maxMessagesPerSecond) {
      if (url == null) {
        return null;
      }
      RealtimeConfig.Builder b =
          RealtimeConfig.builder()
              .url(url)
              .reconnect(ReconnectPolicy.DEVICE)
              .reconnectMaxDelay(reconnectMaxDelay)
              .ackTimeout(ackTimeout)
              // The agent's one token bucket: network.maxMessagesPerSecond, one second's burst.
              .sendRate(maxMessagesPerSecond, (int) Math.max(1, Math.ceil(maxMessagesPerSecond)));
      if (token instanceof TokenSource.PublishableKey k) {
        b.publishableKey(k.key());
      } else {
        b.tokenProvider(UNATTACHED);
      }
      try {
        return b.build();
      } catch (IllegalArgumentException | NullPointerException e) {
        String msg = String.valueOf(e.getMessage());
        String setting = msg.contains(":") ? msg.substring(0, msg.indexOf(':')) : "";
        String key =
            switch (setting) {
              case "url" -> "network.url";
              case "ackTimeout" -> "network.ackTimeout";
              case "reconnectMaxDelay" -> "network.reconnectMaxDelay";
              default -> token instanceof TokenSource.PublishableKey ? "network.token" : "network";
            };
        problem(key, "rejected by the realtime client: " + msg);
        return null;
      }
    }

    private Path defaultStateDir() {
      String sd = env.get("STATE_DIRECTORY");
      if (sd != null && !sd.isBlank()) {
        return Path.of(sd.split(":")[0]);
      }
      return Path.of((String) ConfigSchema.require("stateDir").def());
    }

    private Path defaultStatusFile() {
      String rd = env.get("RUNTIME_DIRECTORY");
      if (rd != null && !rd.isBlank()) {
        return Path.of(rd.split(":")[0], "status.json");
      }
      return Path.of((String) ConfigSchema.require("status.file").def());
    }
  }
}
