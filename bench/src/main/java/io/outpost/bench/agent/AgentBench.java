package io.outpost.bench.agent;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.config.DeviceIdentity;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.sampler.Batcher;
import io.outpost.agent.sampler.SenmlRecord;
import io.outpost.agent.uplink.RealtimeLink;
import io.outpost.agent.uplink.Uplink;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.ReplayEnvelope;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import io.outpost.relay.TokenRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Agent benchmarks against an in-process relay (see bench/README.md, "Agent"):
 *
 * <ul>
 *   <li>{@code throughput SECONDS}: records/s through batcher → durable outbox → uplink → relay,
 *       counted by an independent subscriber;
 *   <li>{@code drain}: time to drain a one-hour backlog recorded at 100 records/s while live data
 *       keeps flowing at the same rate;
 *   <li>{@code catchup HOURS… [--unpacked]}: catch-up after an outage of each given length at one
 *       message a second, see {@link CatchUpBench};
 *   <li>{@code process SECONDS [extra JVM flags]}: {@code outpost run} as a child process with the
 *       launchers' JVM flags and environment, see {@link ProcessBench}.
 * </ul>
 */
public final class AgentBench {
  private AgentBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(
          "usage: AgentBench throughput SECONDS | drain | catchup HOURS… [--unpacked]"
              + " | process SECONDS [extra JVM flags…]");
      System.exit(2);
    }
    switch (args[0]) {
      case "throughput" -> throughput(Integer.parseInt(args.length > 1 ? args[1] : "20"));
      case "drain" -> drain();
      case "catchup" -> CatchUpBench.run(List.of(args).subList(1, args.length));
      case "process" ->
          ProcessBench.run(
              Integer.parseInt(args.length > 1 ? args[1] : "60"),
              args.length > 2 ? List.of(args).subList(2, args.length) : List.of());
      default -> {
        System.err.println("unknown mode " + args[0]);
        System.exit(2);
      }
    }
    System.exit(0);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Relay relay(RelayKeys keys, int port) throws IOException {
    // The relay's per-connection rate stays at its default (100/s): the agent must live with it.
    return Relay.start(
        RelaySettings.builder()
            .listen(new InetSocketAddress("127.0.0.1", port))
            .keys(keys)
            .build());
  }

  /**
   * A backend client on the relay, connected and subscribed to every device's events channel, that
   * hands what arrives to {@code listener}.
   */
  static RealtimeClient eventsSubscriber(Relay relay, RealtimeListener listener) throws Exception {
    String token =
        relay.mintToken(
            TokenRequest.builder("bench-backend")
                .channels(List.of("devices/**"))
                .permissions(List.of("subscribe"))
                .ttl(Duration.ofHours(2))
                .build());
    RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder().url(relay.webSocketOrigin()).token(token).build(), listener);
    client.connect().get(10, TimeUnit.SECONDS);
    client.subscribe("devices/*/events").get(10, TimeUnit.SECONDS);
    return client;
  }

  /** Counts records (and messages) of telemetry arriving on devices/*{@code /events}. */
  static final class Counter implements RealtimeListener, AutoCloseable {
    final AtomicLong records = new AtomicLong();
    final AtomicLong messages = new AtomicLong();
    final Set<Long> seqs = ConcurrentHashMap.newKeySet();
    volatile long firstTelemetryNanos;
    final RealtimeClient client;

    Counter(Relay relay) throws Exception {
      client = eventsSubscriber(relay, this);
    }

    @Override
    public void onMessage(ChannelMessage m) {
      // A replay envelope counts as the messages in it.
      for (JsonElement d : ReplayEnvelope.unpack(m.data())) {
        if (d.isJsonObject() && "telemetry".equals(d.getAsJsonObject().get("type").getAsString())) {
          JsonObject o = d.getAsJsonObject();
          if (firstTelemetryNanos == 0) {
            firstTelemetryNanos = System.nanoTime();
          }
          messages.incrementAndGet();
          records.addAndGet(o.getAsJsonArray("records").size());
          seqs.add(o.get("seq").getAsLong());
        }
      }
    }

    @Override
    public void close() {
      client.close();
    }
  }

  static AgentConfig config(Path dir, String bearer, int port, Map<String, Object> extra)
      throws Exception {
    return config(dir, bearer, port, extra, Map.of("maxMessagesPerSecond", 90, "maxInFlight", 32));
  }

  /** {@code network} adds to (or replaces) the network section's url and token. */
  static AgentConfig config(
      Path dir, String bearer, int port, Map<String, Object> extra, Map<String, Object> network)
      throws Exception {
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("device", Map.of("id", "bench-1", "fleet", "bench"));
    Map<String, Object> net = new LinkedHashMap<>();
    net.put("url", "ws://127.0.0.1:" + port);
    net.put(
        "token",
        Map.of(
            "url", "http://127.0.0.1:" + port + "/v1/tokens", "bearer", Map.of("value", bearer)));
    net.putAll(network);
    cfg.put("network", net);
    cfg.put("stateDir", dir.resolve("state").toString());
    cfg.put("status", Map.of("file", dir.resolve("status.json").toString()));
    cfg.putAll(extra);
    return new ConfigLoader(Map.of(), new DeviceIdentity(dir)).load(cfg, "bench", dir, true);
  }

  static String bearer(RelayKeys keys) {
    var k = keys.firstSecretKey().orElseThrow();
    return k.id() + ":" + k.secret();
  }

  /** Records/s through the durable outbox to the relay. */
  static void throughput(int seconds) throws Exception {
    Path dir = Files.createTempDirectory("agent-bench-");
    RelayKeys keys = RelayKeys.development();
    int port = freePort();
    try (Relay relay = relay(keys, port);
        Counter counter = new Counter(relay)) {
      AgentConfig c = config(dir, bearer(keys), port, Map.of());
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      Outbox outbox = Outbox.open(c.stateDir(), c.deviceId(), c.buffer(), Clock.systemUTC());
      RealtimeLink link = new RealtimeLink(c);
      Uplink uplink = new Uplink(outbox, link, Clock.systemUTC(), 32, c.deviceId());
      Batcher batcher =
          new Batcher(
              5_000,
              Duration.ofMillis(200),
              65_536,
              timer,
              records -> outbox.appendTelemetry(message(records)));
      uplink.start();
      link.start(uplinkEvents(uplink, batcher));
      // Producer: as fast as the pipeline takes it, holding at most ~2 s of messages in the outbox.
      Thread producer =
          new Thread(
              () -> {
                long i = 0;
                while (!Thread.currentThread().isInterrupted()) {
                  if (outbox.pendingMessages() > 180) {
                    try {
                      Thread.sleep(5);
                    } catch (InterruptedException e) {
                      return;
                    }
                    continue;
                  }
                  for (int k = 0; k < 1000; k++) {
                    batcher.add(
                        new SenmlRecord(
                            "ctr/count", null, (double) i++, null, null, Instant.now()));
                  }
                }
              },
              "producer");
      producer.setDaemon(true);
      producer.start();
      Thread.sleep(5_000);
      long r0 = counter.records.get();
      long m0 = counter.messages.get();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long r1 = counter.records.get();
      long m1 = counter.messages.get();
      double s = (System.nanoTime() - t0) / 1e9;
      producer.interrupt();
      System.out.printf(
          "throughput: %.0f records/s acked and delivered, %.1f messages/s, %.0f records/message (%d s after 5 s warm-up)%n",
          (r1 - r0) / s, (m1 - m0) / s, (double) (r1 - r0) / Math.max(1, m1 - m0), seconds);
      uplink.close();
      link.close();
      outbox.close();
      timer.shutdownNow();
    }
  }

  static JsonObject message(List<SenmlRecord> records) {
    JsonObject msg = new JsonObject();
    msg.addProperty("type", "telemetry");
    msg.addProperty("device", "bench-1");
    com.google.gson.JsonArray arr = new com.google.gson.JsonArray();
    double bt = SenmlRecord.seconds(records.get(0).time());
    for (int i = 0; i < records.size(); i++) {
      JsonObject r = records.get(i).toJson(null, bt);
      if (i == 0) {
        r.addProperty("bn", "bench-1/");
        r.add("bt", SenmlRecord.secondsJson(records.get(0).time().toEpochMilli()));
      }
      arr.add(r);
    }
    msg.add("records", arr);
    return msg;
  }

  /**
   * One hour at 100 records/s (default batching: 1 s → ~100 records/message), drained while live
   * data flows.
   */
  static void drain() throws Exception {
    Path dir = Files.createTempDirectory("agent-bench-");
    RelayKeys keys = RelayKeys.development();
    int port = freePort();
    AgentConfig c = config(dir, bearer(keys), port, Map.of());
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Outbox outbox = Outbox.open(c.stateDir(), c.deviceId(), c.buffer(), Clock.systemUTC());
    // The backlog: 3,600 messages of 100 records, as one hour offline with telemetry.batch.maxDelay
    // 1s.
    Instant start = Instant.now().minus(Duration.ofHours(1));
    long t = System.nanoTime();
    for (int m = 0; m < 3600; m++) {
      List<SenmlRecord> batch = new ArrayList<>();
      for (int k = 0; k < 100; k++) {
        batch.add(
            new SenmlRecord(
                "ctr/count",
                null,
                (double) (m * 100 + k),
                null,
                null,
                start.plusMillis(m * 1000L + k * 10L)));
      }
      outbox.appendTelemetry(message(batch));
      if (m % 500 == 499) {
        while (outbox.stats().get("queued") instanceof Long q && q > 0) {
          Thread.sleep(5);
        }
      }
    }
    while (outbox.committedRid() < 3600) {
      Thread.sleep(10);
    }
    System.out.printf(
        "drain: backlog of 3600 messages / 360000 records written in %.1f s, %s bytes in the outbox%n",
        (System.nanoTime() - t) / 1e9, outbox.stats().get("bytes"));
    try (Relay relay = relay(keys, port);
        Counter counter = new Counter(relay)) {
      RealtimeLink link = new RealtimeLink(c);
      Uplink uplink =
          new Uplink(outbox, link, Clock.systemUTC(), c.network().maxInFlight(), c.deviceId());
      Batcher batcher =
          new Batcher(
              200,
              Duration.ofSeconds(1),
              65_536,
              timer,
              records -> outbox.appendTelemetry(message(records)));
      uplink.start();
      link.start(uplinkEvents(uplink, batcher));
      long t0 = System.nanoTime();
      AtomicLong live = new AtomicLong(1_000_000);
      // Live data at 100 records/s during the drain.
      timer.scheduleAtFixedRate(
          () ->
              batcher.add(
                  new SenmlRecord(
                      "live/count",
                      null,
                      (double) live.incrementAndGet(),
                      null,
                      null,
                      Instant.now())),
          0,
          10,
          TimeUnit.MILLISECONDS);
      long maxLiveLagMs = 0;
      while (!counter.seqs.containsAll(range(1, 3600))) {
        Thread.sleep(200);
        if (System.nanoTime() - t0 > 600e9) {
          System.out.println("drain: not finished within 600 s");
          break;
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "drain: one-hour backlog (3600 messages, 360000 records) delivered in %.1f s with live data flowing "
              + "(network.maxMessagesPerSecond %.0f); live messages delivered meanwhile: %d%n",
          s, c.network().maxMessagesPerSecond(), counter.messages.get() - 3600);
      uplink.close();
      link.close();
    }
    outbox.close();
    timer.shutdownNow();
  }

  static Set<Long> range(long from, long to) {
    Set<Long> s = new java.util.HashSet<>();
    for (long i = from; i <= to; i++) {
      s.add(i);
    }
    return s;
  }

  static long[] io(long pid) throws IOException {
    long wb = 0;
    long wc = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
      if (line.startsWith("write_bytes:")) {
        wb = Long.parseLong(line.substring(12).trim());
      } else if (line.startsWith("wchar:")) {
        wc = Long.parseLong(line.substring(6).trim());
      }
    }
    return new long[] {wb, wc};
  }

  static String status(long pid, String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(key + ":")) {
        return line.substring(key.length() + 1).trim();
      }
    }
    return "?";
  }

  /**
   * Wires the link to the uplink and batcher the way the agent does: a fresh connection starts a
   * new backlog.
   */
  private static io.outpost.agent.uplink.Link.Events uplinkEvents(Uplink uplink, Batcher batcher) {
    return new io.outpost.agent.uplink.Link.Events() {
      @Override
      public void connected(String peerId, int max) {
        batcher.setMaxMessageSize(max);
        uplink.connected(max);
      }

      @Override
      public void disconnected(String why) {
        uplink.disconnected();
      }

      @Override
      public void message(String ch, String from, JsonElement d) {}

      @Override
      public void direct(String from, JsonElement d) {}
    };
  }
}
