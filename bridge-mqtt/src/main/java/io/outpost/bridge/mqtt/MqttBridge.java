package io.outpost.bridge.mqtt;

import io.outpost.bridge.mqtt.BridgeConfig.InRule;
import io.outpost.bridge.mqtt.BridgeConfig.OutRule;
import io.outpost.plugin.AgentService;
import io.outpost.plugin.PluginContext;
import io.outpost.plugin.PluginLog;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.SocketFactory;

/**
 * The MQTT bridge (docs/bridge.md): {@code out} rules carry broker messages to the network, {@code
 * in} rules carry network messages and commands to the broker.
 *
 * <p>Nothing the broker accepted is lost: subscriptions are QoS 1 on a persistent session and a
 * message is acknowledged to the broker only once the agent's outbox has committed what it became.
 * Messages for the broker wait in the agent's durable, byte-bounded queue while it is away ({@link
 * ToBroker}), survive a restart there, and are delivered in order, paced, when it is back. One
 * thread of its own runs the connection; Paho's callback thread only hands messages over.
 */
final class MqttBridge implements AgentService, MqttLink.Listener {
  static final String NAME = "bridge-mqtt";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final BridgeConfig config;
  private final List<RuleStats> outStats = new ArrayList<>();
  private final List<RuleStats> inStats = new ArrayList<>();
  private final EchoGuard echoes = new EchoGuard();
  // Messages queued under an earlier configuration whose rule no longer exists.
  private final RuleStats unknownRule =
      new RuleStats("in[?]", "a rule of an earlier configuration");
  private final Object lock = new Object();

  private PluginContext context;
  private PluginLog log;
  private Map<String, String> vars;
  private String origin;
  private String probeTopic;
  private MqttLink link;
  private ToBroker toBroker;
  private SenmlBatcher batcher;
  private Thread thread;
  private volatile boolean closing;

  // Link state for status and health.
  private volatile String state = "starting";
  private volatile Instant stateSince;
  private volatile Instant lastRoundTrip;
  private volatile String lastError;
  private volatile Instant downSince;
  private volatile long connects;

  MqttBridge(BridgeConfig config) {
    this.config = config;
    for (OutRule r : config.out()) {
      outStats.add(
          new RuleStats(
              r.label(), r.filter() + " -> " + r.channel() + (r.senml() ? " (senml)" : "")));
    }
    for (InRule r : config.in()) {
      inStats.add(
          new RuleStats(
              r.label(), r.source().name().toLowerCase() + " " + r.match() + " -> " + r.topic()));
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void start(PluginContext ctx) throws Exception {
    this.context = ctx;
    this.log = ctx.log();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("deviceId", ctx.deviceId());
    v.put("fleetId", ctx.fleetId() == null ? "" : ctx.fleetId());
    this.vars = Map.copyOf(v);
    String clientId =
        Template.parse(config.clientId(), Set.of("deviceId", "fleetId")).expand(vars, null);
    this.origin = ctx.deviceId();
    this.probeTopic = "outpost/bridge/" + clientId + "/probe";
    String password = config.password();
    if (config.passwordFile() != null) {
      password = Files.readString(config.passwordFile()).strip();
    }
    SocketFactory sockets =
        "ssl".equals(config.broker().getScheme()) ? TlsSockets.create(config.tls()) : null;
    this.link =
        config.protocol() == BridgeConfig.Protocol.V5
            ? new V5Link(config, clientId, password, sockets, this)
            : new V3Link(config, clientId, password, sockets, this);
    this.stateSince = ctx.clock().instant();
    this.downSince = stateSince;
    this.toBroker =
        new ToBroker(ctx.queue("bridge", config.queueMaxBytes()), config.publishRate(), this::lost);
    this.batcher = new SenmlBatcher(ctx, this::publishTelemetry);
    for (InRule r : config.in()) {
      RuleStats s = inStats.get(config.in().indexOf(r));
      switch (r.source()) {
        case CHANNEL -> {
          String channel =
              Template.parse(r.match(), Set.of("deviceId", "fleetId")).expand(vars, null);
          ctx.uplink().subscribe(channel, (ch, data) -> fromChannel(r, s, ch, data));
        }
        case COMMAND -> ctx.handleCommands(r.match(), new CommandToMqtt(this, r, s));
        case DIRECT ->
            ctx.uplink().subscribeDirect(r.match(), (from, data) -> fromDirect(r, s, from, data));
      }
    }
    thread = new Thread(this::run, "bridge-mqtt");
    thread.setDaemon(true);
    thread.start();
  }

  // ---------------------------------------------------------------- connection

  /** Connects, subscribes, drains the queue toward the broker; reconnects with backoff. */
  private void run() {
    long backoffMs = 500;
    while (!closing) {
      try {
        setState("connecting");
        link.connect();
        connects++;
        List<MqttLink.Subscription> subs = new ArrayList<>();
        for (OutRule r : config.out()) {
          subs.add(new MqttLink.Subscription(r.filter().text(), r.qos()));
        }
        if (!subs.isEmpty()) {
          link.subscribe(subs);
        }
        roundTrip();
        setState("connected");
        downSince = null;
        log.info("bridge-mqtt: connected to " + config.broker() + " (" + protocolName() + ")");
        backoffMs = 500;
        drain();
      } catch (InterruptedException e) {
        break;
      } catch (Exception e) {
        if (closing) {
          break;
        }
        String tls = TlsSockets.explain(e, config.tls());
        lastError = tls != null ? tls : describe(e);
        if (downSince == null) {
          downSince = now();
        }
        setState("down");
        log.warn(
            "bridge-mqtt: broker "
                + config.broker()
                + ": "
                + lastError
                + "; retrying in "
                + backoffMs
                + " ms");
        link.close();
        try {
          Thread.sleep(backoffMs + (long) (Math.random() * backoffMs / 4));
        } catch (InterruptedException ie) {
          break;
        }
        backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
      }
    }
    link.close();
    setState("stopped");
  }

  /**
   * While connected: sends what waits for the broker in order, paced, and probes the broker when
   * nothing else proved it alive lately (a PUBACK is a round trip; TCP being up is not).
   */
  private void drain() throws Exception {
    long probeEvery = Math.max(1000, config.keepAlive().toMillis());
    while (!closing) {
      if (!link.connected()) {
        throw new IllegalStateException(lastError == null ? "connection lost" : lastError);
      }
      ToBroker.Item item = toBroker.next(Math.min(probeEvery, 1000));
      if (item != null) {
        ToBroker.Message m = item.message();
        try {
          link.publish(m.topic(), m.payload(), m.qos(), m.retain(), origin);
        } catch (Exception e) {
          toBroker.putBack(item);
          stats(m).error("publish to \"" + m.topic() + "\": " + describe(e), now());
          throw e;
        }
        if (config.protocol() == BridgeConfig.Protocol.V311) {
          echoes.published(m.topic(), m.payload(), context.clock().millis());
        }
        stats(m).out.incrementAndGet();
        if (m.qos() > 0) {
          roundTrip();
        }
        toBroker.done(item);
      } else if (lastRoundTrip == null
          || now().toEpochMilli() - lastRoundTrip.toEpochMilli() >= probeEvery) {
        // An empty retained publish clears nothing of anyone else's and is acknowledged.
        link.publish(probeTopic, new byte[0], 1, false, origin);
        roundTrip();
      }
    }
  }

  private void roundTrip() {
    lastRoundTrip = now();
  }

  private void setState(String s) {
    if (!s.equals(state)) {
      state = s;
      stateSince = now();
    }
  }

  @Override
  public void lost(Throwable cause) {
    if (!closing) {
      lastError = "connection lost: " + describe(cause);
      if (downSince == null) {
        downSince = now();
      }
      setState("down");
    }
  }

  // ---------------------------------------------------------------- MQTT -> network

  @Override
  public void message(MqttLink.Incoming m) {
    try {
      onMessage(m);
    } catch (RuntimeException e) {
      // Never let one bad message stop the callback thread; it is acknowledged and counted.
      lastError = "message on \"" + m.topic() + "\": " + describe(e);
      link.ack(m);
    }
  }

  private void onMessage(MqttLink.Incoming m) {
    if (m.topic().equals(probeTopic)
        || origin.equals(m.origin())
        || config.protocol() == BridgeConfig.Protocol.V311
            && echoes.isEcho(m.topic(), m.payload(), context.clock().millis())) {
      link.ack(m);
      return;
    }
    List<CompletableFuture<Void>> committed = new ArrayList<>();
    Instant at = now();
    for (int i = 0; i < config.out().size(); i++) {
      OutRule r = config.out().get(i);
      String[] levels = r.filter().match(m.topic());
      if (levels == null) {
        continue;
      }
      RuleStats s = outStats.get(i);
      s.in.incrementAndGet();
      Map<String, String> v = new LinkedHashMap<>(vars);
      v.put("topic", m.topic());
      String channel = r.channel().expand(v, levels);
      String bad = invalidChannel(channel);
      if (bad != null) {
        s.drop("topic \"" + m.topic() + "\" gives channel \"" + channel + "\": " + bad, at);
        continue;
      }
      if (r.senml()) {
        List<Map<String, Object>> records =
            Payloads.senml(
                m.payload(), r.name().expand(v, levels), r.unit(), at.toEpochMilli() / 1000.0);
        if (records.isEmpty()) {
          s.drop(
              "payload on \"" + m.topic() + "\" is not a number, boolean or flat JSON object", at);
          continue;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        batcher.add(r, s, channel, records, f);
        committed.add(f);
      } else {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "mqtt.message");
        data.put("topic", m.topic());
        data.put("qos", m.qos());
        data.put("retain", m.retained());
        Payloads.carry(m.payload(), m.contentType()).putInto(data);
        if (!m.properties().isEmpty()) {
          data.put("properties", m.properties());
        }
        data.put("receivedAt", at.toString());
        data.put("origin", originMarker());
        committed.add(count(s, context.uplink().publishDurably(channel, data)));
      }
    }
    if (committed.isEmpty()) {
      link.ack(m);
      return;
    }
    CompletableFuture.allOf(committed.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, e) -> {
              if (e == null) {
                link.ack(m);
              }
              // Not committed (the agent is stopping): no ack, so the broker delivers it again.
            });
  }

  private CompletableFuture<Void> count(RuleStats s, CompletionStage<Void> stage) {
    return stage
        .toCompletableFuture()
        .whenComplete(
            (ok, e) -> {
              if (e == null) {
                s.out.incrementAndGet();
              } else {
                s.error("not committed to the outbox: " + describe(e), now());
              }
            });
  }

  private CompletionStage<Void> publishTelemetry(
      String channel, List<Map<String, Object>> records) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("type", "telemetry");
    data.put("device", context.deviceId());
    data.put("records", records);
    data.put("origin", originMarker());
    return context.uplink().publishDurably(channel, data);
  }

  /** Marks what the bridge put on the network, so its own {@code in} rules skip it. */
  private String originMarker() {
    return "mqtt:" + origin;
  }

  /** Why {@code channel} cannot be published to, or null. */
  static String invalidChannel(String channel) {
    if (channel.isEmpty()
        || channel.startsWith("/")
        || channel.endsWith("/")
        || channel.contains("//")) {
      return "empty segment";
    }
    if (channel.contains("*")) {
      return "'*' is a wildcard on the network";
    }
    if (channel.length() > 256) {
      return "longer than 256 characters";
    }
    for (int i = 0; i < channel.length(); i++) {
      if (Character.isISOControl(channel.charAt(i)) || Character.isWhitespace(channel.charAt(i))) {
        return "contains whitespace or control characters";
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- network -> MQTT

  private void fromChannel(InRule r, RuleStats s, String channel, Object data) {
    if (data instanceof Map<?, ?> m && originMarker().equals(m.get("origin"))) {
      return; // ours, from an out rule: never echo it back
    }
    s.in.incrementAndGet();
    Map<String, String> v = new LinkedHashMap<>(vars);
    v.put("topic", channel);
    if (data instanceof Map<?, ?> m && m.get("type") instanceof String t) {
      v.put("type", t);
    }
    enqueue(r, s, r.topic().expand(v, channel.split("/", -1)), data);
  }

  private void fromDirect(InRule r, RuleStats s, String from, Object data) {
    s.in.incrementAndGet();
    Map<String, String> v = new LinkedHashMap<>(vars);
    v.put("type", r.match());
    v.put("topic", from);
    enqueue(r, s, r.topic().expand(v, new String[] {from}), data);
  }

  /** Queues one message for the broker; the returned future completes when the broker has it. */
  CompletableFuture<Void> enqueue(InRule r, RuleStats s, String topic, Object data) {
    CompletableFuture<Void> delivered = new CompletableFuture<>();
    String bad = TopicFilter.invalidTopic(topic);
    if (bad != null) {
      s.drop("topic \"" + topic + "\": " + bad, now());
      delivered.completeExceptionally(
          new IllegalArgumentException("bad topic \"" + topic + "\": " + bad));
      return delivered;
    }
    Object value = Payloads.extract(data, r.payload());
    if (value == null && !r.payload().isEmpty()) {
      s.drop("message has no \"" + r.payload() + "\"", now());
      delivered.completeExceptionally(
          new IllegalArgumentException("no \"" + r.payload() + "\" in the message"));
      return delivered;
    }
    byte[] bytes;
    try {
      bytes = Payloads.toBytes(value, r.base64());
    } catch (IllegalArgumentException e) {
      s.drop("\"" + r.payload() + "\" is not base64", now());
      delivered.completeExceptionally(e);
      return delivered;
    }
    try {
      return toBroker.add(new ToBroker.Message(r.index(), topic, bytes, r.qos(), r.retain()));
    } catch (IOException | IllegalArgumentException e) {
      s.drop("not queued for the broker: " + describe(e), now());
      delivered.completeExceptionally(e);
    }
    return delivered;
  }

  /** A message of the queue lost to make room: counted on its rule (the agent announces it). */
  private void lost(ToBroker.Message m) {
    stats(m)
        .drop(
            "queue for the broker full (" + config.queueMaxBytes() + " bytes); oldest dropped",
            now());
  }

  /** The counters of the rule that queued {@code m} (a rule of an older configuration: any). */
  private RuleStats stats(ToBroker.Message m) {
    return m.rule() >= 0 && m.rule() < inStats.size() ? inStats.get(m.rule()) : unknownRule;
  }

  Map<String, String> vars() {
    return vars;
  }

  boolean brokerUp() {
    return "connected".equals(state);
  }

  // ---------------------------------------------------------------- status

  @Override
  public String health() {
    String s = state;
    if ("connected".equals(s)) {
      Instant rt = lastRoundTrip;
      long probe = Math.max(1000, config.keepAlive().toMillis());
      if (rt != null && now().toEpochMilli() - rt.toEpochMilli() > 3 * probe) {
        return degradedOrFailed(rt, "no round trip with the broker since " + rt);
      }
      return "ok";
    }
    Instant since = downSince;
    return degradedOrFailed(
        since, "broker " + config.broker() + " " + s + (lastError == null ? "" : ": " + lastError));
  }

  private String degradedOrFailed(Instant since, String why) {
    if (since == null) {
      return "connecting";
    }
    long downMs = now().toEpochMilli() - since.toEpochMilli();
    String word = downMs > config.unhealthyAfter().toMillis() ? "failed" : "degraded";
    return word
        + ": "
        + why
        + " (for "
        + downMs / 1000
        + " s, unhealthy after "
        + config.unhealthyAfter().toSeconds()
        + " s)";
  }

  @Override
  public Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> broker = new LinkedHashMap<>();
    broker.put("url", config.broker().toString());
    broker.put("protocol", protocolName());
    broker.put("state", state);
    broker.put("since", stateSince == null ? null : stateSince.toString());
    broker.put("lastRoundTripAt", lastRoundTrip == null ? null : lastRoundTrip.toString());
    broker.put("connects", connects);
    if (lastError != null) {
      broker.put("lastError", lastError);
    }
    m.put("broker", broker);
    m.put("queuedForBroker", toBroker == null ? 0 : (int) toBroker.size());
    m.put("queuedBytes", toBroker == null ? 0 : toBroker.bytes());
    m.put("out", outStats.stream().map(RuleStats::toMap).toList());
    m.put("in", inStats.stream().map(RuleStats::toMap).toList());
    return m;
  }

  private String protocolName() {
    return config.protocol() == BridgeConfig.Protocol.V5 ? "5" : "3.1.1";
  }

  Instant now() {
    return context.clock().instant();
  }

  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String msg = t.getMessage();
    if (t.getCause() != null
        && t.getCause().getMessage() != null
        && !t.getCause().getMessage().equals(msg)) {
      msg = msg + " (" + t.getCause().getMessage() + ")";
    }
    return msg == null ? t.getClass().getSimpleName() : msg;
  }

  @Override
  public void close() {
    closing = true;
    if (batcher != null) {
      batcher.close();
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (link != null) {
      link.close();
    }
    if (toBroker != null) {
      toBroker.stop(new IllegalStateException("bridge stopped; the message stays queued"));
    }
  }
}
