package io.outpost.bridge.mqtt;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code bridge} section (docs/bridge.md), validated completely: {@link #parse} reports every
 * problem with the rule index, the field and what was expected.
 */
record BridgeConfig(
    boolean enabled,
    URI broker,
    String clientId,
    String username,
    String password,
    Path passwordFile,
    Tls tls,
    Protocol protocol,
    Duration keepAlive,
    Duration sessionExpiry,
    Duration connectTimeout,
    Duration unhealthyAfter,
    double publishRate,
    long queueMaxBytes,
    List<OutRule> out,
    List<InRule> in) {

  static final long DEFAULT_QUEUE_BYTES = 4_000_000;
  static final Set<String> OUT_NAMES = Set.of("deviceId", "fleetId", "topic");
  static final Set<String> IN_NAMES = Set.of("deviceId", "fleetId", "topic", "name", "type");

  enum Protocol {
    V5,
    V311
  }

  /**
   * TLS settings for {@code ssl://}: PEM files; all optional (the JDK's trust store by default).
   */
  record Tls(Path caFile, Path certFile, Path keyFile) {}

  /** MQTT → network. */
  record OutRule(
      int index,
      TopicFilter filter,
      Template channel,
      int qos,
      boolean senml,
      Template name,
      String unit,
      int batchMaxRecords,
      Duration batchMaxDelay) {
    String label() {
      return "out[" + index + "]";
    }
  }

  /** Where an {@code in} rule takes its messages from. */
  enum Source {
    CHANNEL,
    COMMAND,
    DIRECT
  }

  /** Network → MQTT. */
  record InRule(
      int index,
      Source source,
      String match,
      Template topic,
      int qos,
      boolean retain,
      String payload,
      boolean base64) {
    String label() {
      return "in[" + index + "]";
    }
  }

  /** The configuration, or every problem found. */
  static BridgeConfig parse(Options section, List<ConfigException> problems) {
    Problems p = new Problems(problems);
    Options o = section;
    p.run(
        () ->
            o.allowOnly(
                Set.of(
                    "enabled",
                    "broker",
                    "clientId",
                    "username",
                    "password",
                    "passwordFile",
                    "tls",
                    "protocol",
                    "keepAlive",
                    "sessionExpiry",
                    "connectTimeout",
                    "unhealthyAfter",
                    "publishRate",
                    "queue",
                    "out",
                    "in")));
    boolean enabled = p.get(() -> o.bool("enabled", true), true);
    URI broker = p.get(() -> broker(o), URI.create("tcp://127.0.0.1:1883"));
    String clientId = p.get(() -> o.string("clientId", "outpost-{deviceId}"), "outpost");
    if (clientId.isEmpty() || clientId.length() > 128) {
      p.add(new ConfigException(o.location(), "clientId", "expected 1 to 128 characters"));
    }
    String username = p.get(() -> o.optString("username").orElse(null), null);
    String password = p.get(() -> o.optString("password").orElse(null), null);
    Path passwordFile = p.get(() -> o.optString("passwordFile").map(Path::of).orElse(null), null);
    if (password != null && passwordFile != null) {
      p.add(
          new ConfigException(
              o.location(), "passwordFile", "give either password or passwordFile, not both"));
    }
    if ((password != null || passwordFile != null) && username == null) {
      p.add(new ConfigException(o.location(), "username", "missing, a password needs a username"));
    }
    Tls tls = p.get(() -> tls(o), new Tls(null, null, null));
    Protocol protocol =
        p.get(
            () ->
                "5".equals(o.choice("protocol", "5", List.of("5", "3.1.1")))
                    ? Protocol.V5
                    : Protocol.V311,
            Protocol.V5);
    Duration keepAlive =
        p.get(() -> o.duration("keepAlive", Duration.ofSeconds(30)), Duration.ofSeconds(30));
    if (keepAlive.toSeconds() < 1 || keepAlive.toSeconds() > 65_535) {
      p.add(new ConfigException(o.location(), "keepAlive", "expected 1s to 18h"));
    }
    Duration sessionExpiry =
        p.get(() -> o.duration("sessionExpiry", Duration.ofDays(1)), Duration.ofDays(1));
    if (sessionExpiry.toSeconds() < 1 || sessionExpiry.toSeconds() > 0xFFFF_FFFEL) {
      p.add(new ConfigException(o.location(), "sessionExpiry", "expected at least 1s"));
    }
    Duration connectTimeout =
        p.get(() -> o.duration("connectTimeout", Duration.ofSeconds(10)), Duration.ofSeconds(10));
    Duration unhealthyAfter =
        p.get(() -> o.duration("unhealthyAfter", Duration.ofMinutes(2)), Duration.ofMinutes(2));
    double publishRate = p.get(() -> o.number("publishRate", 500), 500.0);
    if (publishRate <= 0) {
      p.add(
          new ConfigException(
              o.location(), "publishRate", "expected a positive number of messages per second"));
    }
    long queueMaxBytes = p.get(() -> queueMaxBytes(o), DEFAULT_QUEUE_BYTES);
    List<OutRule> out = outRules(o, p);
    List<InRule> in = inRules(o, p);
    if (out.isEmpty() && in.isEmpty() && enabled && problems.isEmpty()) {
      p.add(
          new ConfigException(
              o.location(), "out", "no rules: give at least one \"out\" or \"in\" rule"));
    }
    if (protocol == Protocol.V311) {
      loopCheck(o.location(), out, in, p);
    }
    return new BridgeConfig(
        enabled,
        broker,
        clientId,
        username,
        password,
        passwordFile,
        tls,
        protocol,
        keepAlive,
        sessionExpiry,
        connectTimeout,
        unhealthyAfter,
        publishRate,
        queueMaxBytes,
        List.copyOf(out),
        List.copyOf(in));
  }

  private static URI broker(Options o) throws ConfigException {
    String text = o.string("broker", "tcp://127.0.0.1:1883");
    URI u;
    try {
      u = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          o.location(),
          "broker",
          "\"" + text + "\" is not a URL (expected e.g. \"tcp://127.0.0.1:1883\")");
    }
    if (!"tcp".equals(u.getScheme()) && !"ssl".equals(u.getScheme()) || u.getHost() == null) {
      throw new ConfigException(
          o.location(), "broker", "\"" + text + "\" must be tcp://HOST:PORT or ssl://HOST:PORT");
    }
    return u;
  }

  /** {@code queue.maxBytes}: the durable queue toward the broker, 1 KB to 1 GB. */
  private static long queueMaxBytes(Options o) throws ConfigException {
    if (o.has("queue") && !(o.asMap().get("queue") instanceof Map<?, ?>)) {
      throw new ConfigException(
          o.location(), "queue", "expected an object such as {\"maxBytes\": \"4MB\"}");
    }
    Options q = o.object("queue");
    q.allowOnly(Set.of("maxBytes"));
    long max = q.size("maxBytes", DEFAULT_QUEUE_BYTES);
    if (max < 1_000 || max > 1_000_000_000) {
      throw new ConfigException(q.location(), "maxBytes", "expected 1KB to 1GB");
    }
    return max;
  }

  private static Tls tls(Options o) throws ConfigException {
    Options t = o.object("tls");
    t.allowOnly(Set.of("caFile", "certFile", "keyFile"));
    Path ca = t.optString("caFile").map(Path::of).orElse(null);
    Path cert = t.optString("certFile").map(Path::of).orElse(null);
    Path key = t.optString("keyFile").map(Path::of).orElse(null);
    if ((cert == null) != (key == null)) {
      throw new ConfigException(
          t.location(),
          cert == null ? "certFile" : "keyFile",
          "a client certificate needs both certFile and keyFile");
    }
    return new Tls(ca, cert, key);
  }

  private static List<Options> list(Options o, String key, Problems p) {
    Object v = o.asMap().get(key);
    List<Options> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof List<?> l)) {
      p.add(new ConfigException(o.location(), key, "expected a list of rule objects"));
      return out;
    }
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof Map<?, ?> m)) {
        p.add(new ConfigException(o.location(), key + "[" + i + "]", "expected a rule object"));
        out.add(null);
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> rule = (Map<String, Object>) m;
      out.add(new Options(o.location() + ": " + key + "[" + i + "]", rule));
    }
    return out;
  }

  private static List<OutRule> outRules(Options o, Problems p) {
    List<OutRule> rules = new ArrayList<>();
    List<Options> raw = list(o, "out", p);
    for (int i = 0; i < raw.size(); i++) {
      Options r = raw.get(i);
      if (r == null) {
        continue;
      }
      int before = p.size();
      p.run(() -> r.allowOnly(Set.of("filter", "channel", "qos", "as", "name", "unit", "batch")));
      TopicFilter filter =
          p.get(
              () -> {
                String f = r.string("filter");
                String why = TopicFilter.invalid(f);
                if (why != null) {
                  throw new ConfigException(r.location(), "filter", "\"" + f + "\" is " + why);
                }
                return TopicFilter.parse(f);
              },
              null);
      Template channel = template(r, "channel", "devices/{deviceId}/events", OUT_NAMES, p);
      int qos = (int) (long) p.get(() -> r.integer("qos", 1, 0, 1), 1L);
      boolean senml =
          "senml".equals(p.get(() -> r.choice("as", "event", List.of("event", "senml")), "event"));
      Template name = template(r, "name", "{topic}", OUT_NAMES, p);
      String unit = p.get(() -> r.optString("unit").orElse(null), null);
      Options batch = p.get(() -> r.object("batch"), Options.empty(""));
      p.run(() -> batch.allowOnly(Set.of("maxRecords", "maxDelay")));
      int maxRecords = (int) (long) p.get(() -> batch.integer("maxRecords", 100, 1, 10_000), 100L);
      Duration maxDelay =
          p.get(() -> batch.duration("maxDelay", Duration.ofMillis(200)), Duration.ofMillis(200));
      if (!senml && (r.has("name") || r.has("unit") || r.has("batch"))) {
        p.add(
            new ConfigException(
                r.location(), "as", "name, unit and batch apply only to \"as\": \"senml\""));
      }
      if (filter != null && channel != null && channel.maxLevel() > 0) {
        checkLevels(r, "channel", channel, filter, p);
      }
      if (filter != null && name != null && name.maxLevel() > 0) {
        checkLevels(r, "name", name, filter, p);
      }
      if (p.size() == before) {
        rules.add(new OutRule(i, filter, channel, qos, senml, name, unit, maxRecords, maxDelay));
      }
    }
    return rules;
  }

  /**
   * A level placeholder beyond what the filter guarantees is a mistake (unless '#' may cover it).
   */
  private static void checkLevels(Options r, String key, Template t, TopicFilter f, Problems p) {
    boolean open = f.text().endsWith("#");
    int fixed = f.levels().length - (open ? 1 : 0);
    if (!open && t.maxLevel() > fixed) {
      p.add(
          new ConfigException(
              r.location(),
              key,
              "uses {"
                  + t.maxLevel()
                  + "} but filter \""
                  + f.text()
                  + "\" has only "
                  + fixed
                  + " levels"));
    }
  }

  private static List<InRule> inRules(Options o, Problems p) {
    List<InRule> rules = new ArrayList<>();
    List<Options> raw = list(o, "in", p);
    for (int i = 0; i < raw.size(); i++) {
      Options r = raw.get(i);
      if (r == null) {
        continue;
      }
      int before = p.size();
      p.run(
          () ->
              r.allowOnly(
                  Set.of(
                      "channel",
                      "command",
                      "direct",
                      "topic",
                      "qos",
                      "retain",
                      "payload",
                      "encoding")));
      List<String> sources = new ArrayList<>();
      for (String s : List.of("channel", "command", "direct")) {
        if (r.has(s)) {
          sources.add(s);
        }
      }
      Source source = null;
      String match = null;
      if (sources.size() != 1) {
        p.add(
            new ConfigException(
                r.location(),
                sources.isEmpty() ? "channel" : sources.get(1),
                "give exactly one source: \"channel\" (a channel or glob), \"command\" (a command name prefix) or \"direct\" (a message type)"));
      } else {
        source = Source.valueOf(sources.get(0).toUpperCase(java.util.Locale.ROOT));
        String key = sources.get(0);
        match = p.get(() -> r.string(key), null);
        if (match != null && match.isEmpty()) {
          p.add(new ConfigException(r.location(), key, "expected a non-empty string"));
        }
      }
      Template topic =
          p.get(
              () -> {
                Template t = template(r, "topic", null, IN_NAMES);
                String literal =
                    t.expand(
                        Map.of(
                            "deviceId",
                            "d",
                            "fleetId",
                            "f",
                            "topic",
                            "t",
                            "name",
                            "n",
                            "type",
                            "t"),
                        new String[] {"a", "b", "c", "d", "e", "f", "g", "h", "i"});
                String why = TopicFilter.invalidTopic(literal);
                if (why != null) {
                  throw new ConfigException(
                      r.location(), "topic", "\"" + t.text() + "\" gives " + why);
                }
                return t;
              },
              null);
      int qos = (int) (long) p.get(() -> r.integer("qos", 1, 0, 1), 1L);
      boolean retain = p.get(() -> r.bool("retain", false), false);
      String defaultPayload = source == Source.COMMAND ? "args" : "";
      String payload = p.get(() -> r.string("payload", defaultPayload), "");
      boolean base64 =
          "base64"
              .equals(p.get(() -> r.choice("encoding", "none", List.of("none", "base64")), "none"));
      if (p.size() == before) {
        rules.add(new InRule(i, source, match, topic, qos, retain, payload, base64));
      }
    }
    return rules;
  }

  private static Template template(
      Options r, String key, String defaultValue, Set<String> names, Problems p) {
    return p.get(() -> template(r, key, defaultValue, names), null);
  }

  private static Template template(Options r, String key, String defaultValue, Set<String> names)
      throws ConfigException {
    String text = defaultValue == null ? r.string(key) : r.string(key, defaultValue);
    try {
      return Template.parse(text, names);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(r.location(), key, "\"" + text + "\": " + e.getMessage());
    }
  }

  /**
   * Without MQTT 5's noLocal the bridge would receive what it publishes: an {@code in} topic that
   * an {@code out} filter matches would echo forever.
   */
  private static void loopCheck(String location, List<OutRule> out, List<InRule> in, Problems p) {
    for (InRule i : in) {
      for (OutRule o : out) {
        if (o.filter().mayMatch(i.topic())) {
          p.add(
              new ConfigException(
                  location,
                  i.label() + ".topic",
                  "\""
                      + i.topic()
                      + "\" is matched by "
                      + o.label()
                      + ".filter \""
                      + o.filter()
                      + "\": with protocol 3.1.1 (no noLocal) what "
                      + i.label()
                      + " publishes would come back through "
                      + o.label()
                      + " forever; use protocol \"5\" or topics that do not overlap"));
        }
      }
    }
  }

  /** Collects problems so that one bad key does not hide the next. */
  private static final class Problems {
    private final List<ConfigException> list;

    Problems(List<ConfigException> list) {
      this.list = list;
    }

    interface Getter<T> {
      T get() throws ConfigException;
    }

    interface Check {
      void run() throws ConfigException;
    }

    <T> T get(Getter<T> g, T fallback) {
      try {
        return g.get();
      } catch (ConfigException e) {
        list.add(e);
        return fallback;
      }
    }

    void run(Check c) {
      try {
        c.run();
      } catch (ConfigException e) {
        list.add(e);
      }
    }

    void add(ConfigException e) {
      list.add(e);
    }

    int size() {
      return list.size();
    }
  }
}
