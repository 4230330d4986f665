package io.outpost.bench.agent;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.uplink.Link;
import io.outpost.agent.uplink.RealtimeLink;
import io.outpost.agent.uplink.Uplink;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.ReplayEnvelope;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Catch-up after an outage (issue 14): a backlog of {@code hours} × 3,600 telemetry messages (one a
 * second, nine readings each, as {@code outpost run} sends them) is written into a durable outbox
 * with the default buffer bounds, under a clock that runs through the outage, so {@code
 * buffer.maxBytes} and {@code buffer.maxAge} apply as on a device. Then the link comes up at the
 * default {@code network.maxMessagesPerSecond} (50) and {@code maxInFlight} (16) while live
 * telemetry keeps coming once a second. Reported: time until an independent subscriber has every
 * seq of the backlog (or its {@code buffer.dropped} announcement), network messages it received,
 * and the latency of live messages during the drain (creation to delivery).
 *
 * <p>{@code catchup HOURS… [--unpacked] [--wakeups]}: {@code --unpacked} sends every row alone (the
 * uplink before replay envelopes), for comparison; {@code --wakeups} then counts the uplink
 * thread's wake-ups for 20 s with live data and 20 s with nothing to send.
 */
final class CatchUpBench {
  private CatchUpBench() {}

  /** A clock that can be set while the backlog is written and follows real time afterwards. */
  static final class SettableClock extends Clock {
    private volatile long offsetMillis;

    void set(long epochMillis) {
      offsetMillis = epochMillis - System.currentTimeMillis();
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() + offsetMillis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static void run(List<String> args) throws Exception {
    boolean unpacked = args.contains("--unpacked");
    boolean wakeups = args.contains("--wakeups");
    for (String a : args) {
      if (!a.startsWith("--")) {
        one(Integer.parseInt(a), unpacked, wakeups);
      }
    }
  }

  /** Nine readings taken at {@code millis}, like the default profile's sensors. */
  static JsonObject message(String device, long millis, long n) {
    JsonObject msg = new JsonObject();
    msg.addProperty("type", "telemetry");
    msg.addProperty("device", device);
    JsonArray records = new JsonArray();
    String[][] sensors = {
      {"env/temperature", "Cel"}, {"env/humidity", "%RH"}, {"env/pressure", "Pa"},
      {"light/illuminance", "lx"}, {"soil/moisture", "%"}, {"soil/temperature", "Cel"},
      {"power/voltage", "V"}, {"power/current", "A"}, {"cpu/temperature", "Cel"}
    };
    for (int i = 0; i < sensors.length; i++) {
      JsonObject r = new JsonObject();
      if (i == 0) {
        r.addProperty("bn", device + "/");
        r.addProperty("bt", millis / 1000.0);
      }
      r.addProperty("n", sensors[i][0]);
      r.addProperty("u", sensors[i][1]);
      r.addProperty("v", Math.round((20 + i + Math.sin(n / 60.0 + i)) * 100) / 100.0);
      records.add(r);
    }
    msg.add("records", records);
    return msg;
  }

  /** Counts what arrives on the device's events channel, envelopes unpacked. */
  static final class Subscriber implements RealtimeListener, AutoCloseable {
    final BitSet seqs = new BitSet();
    final AtomicLong networkMessages = new AtomicLong();
    final AtomicLong envelopes = new AtomicLong();
    final AtomicLong packed = new AtomicLong();
    final List<Long> liveLatencies = new ArrayList<>();
    final List<long[]> dropped = new ArrayList<>();
    final long liveFromSeq;
    final RealtimeClient client;

    Subscriber(Relay relay, long liveFromSeq) throws Exception {
      this.liveFromSeq = liveFromSeq;
      client = AgentBench.eventsSubscriber(relay, this);
    }

    @Override
    public void onMessage(ChannelMessage m) {
      long now = System.currentTimeMillis();
      networkMessages.incrementAndGet();
      if (ReplayEnvelope.is(m.data())) {
        envelopes.incrementAndGet();
        packed.addAndGet(m.data().getAsJsonObject().getAsJsonArray("messages").size());
      }
      for (JsonElement e : ReplayEnvelope.unpack(m.data())) {
        JsonObject o = e.getAsJsonObject();
        if (!o.has("seq")) {
          continue;
        }
        long seq = o.get("seq").getAsLong();
        synchronized (this) {
          seqs.set((int) seq);
          if ("buffer.dropped".equals(o.get("type").getAsString())) {
            dropped.add(new long[] {o.get("fromSeq").getAsLong(), o.get("toSeq").getAsLong()});
          } else if (seq >= liveFromSeq && "telemetry".equals(o.get("type").getAsString())) {
            double bt =
                o.getAsJsonArray("records").get(0).getAsJsonObject().get("bt").getAsDouble();
            liveLatencies.add(now - (long) (bt * 1000));
          }
        }
      }
    }

    /** Seqs of 1..last neither received nor announced as dropped. */
    synchronized long missing(long last) {
      BitSet have = (BitSet) seqs.clone();
      for (long[] d : dropped) {
        have.set((int) d[0], (int) Math.min(d[1], last) + 1);
      }
      return last - have.get(1, (int) last + 1).cardinality();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** The native id of the thread named {@code uplink} (one uplink runs at a time here). */
  static String uplinkThread() throws java.io.IOException {
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        if (Files.readString(t.resolve("comm")).trim().equals("uplink")) {
          return t.getFileName().toString();
        }
      }
    }
    throw new IllegalStateException("no uplink thread");
  }

  static long switches(String tid) throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
      if (line.startsWith("voluntary_ctxt_switches:")) {
        return Long.parseLong(line.substring(24).trim());
      }
    }
    return -1;
  }

  static void one(int hours, boolean unpacked, boolean wakeups) throws Exception {
    int count = hours * 3600;
    Path dir = Files.createTempDirectory("agent-catchup-");
    RelayKeys keys = RelayKeys.development();
    int port = AgentBench.freePort();
    // The agent's defaults: 50 messages/s, 16 in flight, 64 MB, 7 days.
    AgentConfig c =
        AgentBench.config(
            dir,
            AgentBench.bearer(keys),
            port,
            Map.of(),
            Map.of("maxMessagesPerSecond", 50, "maxInFlight", 16));
    SettableClock clock = new SettableClock();
    long end = System.currentTimeMillis();
    long start = end - count * 1000L;
    clock.set(start);
    Outbox outbox = Outbox.open(c.stateDir(), c.deviceId(), c.buffer(), clock);
    long t = System.nanoTime();
    for (int i = 0; i < count; i++) {
      clock.set(start + i * 1000L);
      outbox.appendTelemetry(message(c.deviceId(), start + i * 1000L, i));
      if (i % 2000 == 1999) {
        while (outbox.stats().get("queued") instanceof Long q && q > 0) {
          Thread.sleep(2);
        }
      }
    }
    clock.set(System.currentTimeMillis());
    while (outbox.stats().get("queued") instanceof Long q && q > 0) {
      Thread.sleep(10);
    }
    Map<String, Object> stored = outbox.stats();
    long lastBacklogSeq = (Long) stored.get("lastSeq");
    System.out.printf(
        "catchup %dh: %d messages written in %.1f s; stored %s messages, %.1f MB (maxBytes %s), %s dropped%n",
        hours,
        count,
        (System.nanoTime() - t) / 1e9,
        stored.get("messages"),
        ((Number) stored.get("bytes")).longValue() / 1e6,
        stored.get("maxBytes"),
        stored.get("dropped"));
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Relay relay = AgentBench.relay(keys, port);
        Subscriber sub = new Subscriber(relay, lastBacklogSeq + 1)) {
      RealtimeLink link = new RealtimeLink(c);
      Uplink uplink = new Uplink(outbox, link, clock, c.network().maxInFlight(), c.deviceId());
      uplink.start();
      long t0 = System.nanoTime();
      link.start(events(uplink, unpacked));
      // Live data starts with the connection: what is stored before it is backlog by definition.
      while (!link.connected()) {
        Thread.sleep(5);
      }
      AtomicLong live = new AtomicLong();
      timer.scheduleAtFixedRate(
          () -> {
            long now = System.currentTimeMillis();
            outbox.appendTelemetry(message(c.deviceId(), now, live.incrementAndGet()));
          },
          0,
          1,
          TimeUnit.SECONDS);
      // The backlog is in when every seq up to the last stored before the connect is accounted for.
      while (sub.missing(lastBacklogSeq) > 0) {
        Thread.sleep(50);
        if (System.nanoTime() - t0 > 1800e9) {
          System.out.printf("catchup %dh: not drained within 30 min%n", hours);
          break;
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      List<Long> lat;
      synchronized (sub) {
        lat = new ArrayList<>(sub.liveLatencies);
      }
      lat.sort(null);
      System.out.printf(
          "catchup %dh%s: backlog of %d seqs drained in %.1f s at maxMessagesPerSecond %.0f;"
              + " %d network messages received (%d replay envelopes, %.0f messages each on average);"
              + " live messages during the drain: %d, latency median %d ms, max %d ms%n",
          hours,
          unpacked ? " (unpacked)" : "",
          lastBacklogSeq,
          s,
          c.network().maxMessagesPerSecond(),
          sub.networkMessages.get(),
          sub.envelopes.get(),
          sub.envelopes.get() == 0 ? 0.0 : (double) sub.packed.get() / sub.envelopes.get(),
          lat.size(),
          lat.isEmpty() ? -1 : lat.get(lat.size() / 2),
          lat.isEmpty() ? -1 : lat.get(lat.size() - 1));
      if (wakeups) {
        // The uplink thread's wake-ups once caught up: with one live message a second, then idle.
        String tid = uplinkThread();
        long w0 = switches(tid);
        Thread.sleep(20_000);
        long w1 = switches(tid);
        timer.shutdownNow();
        Thread.sleep(2_000);
        long w2 = switches(tid);
        Thread.sleep(20_000);
        long w3 = switches(tid);
        System.out.printf(
            "catchup %dh: uplink thread wake-ups (voluntary_ctxt_switches) %.2f/s with one live"
                + " message a second, %.2f/s with nothing to send (20 s each)%n",
            hours, (w1 - w0) / 20.0, (w3 - w2) / 20.0);
      }
      timer.shutdownNow();
      uplink.close();
      link.close();
    } finally {
      outbox.close();
    }
  }

  private static Link.Events events(Uplink uplink, boolean unpacked) {
    return new Link.Events() {
      @Override
      public void connected(String peerId, int maxMessageSize) {
        uplink.connected(unpacked ? 0 : maxMessageSize);
      }

      @Override
      public void disconnected(String why) {
        uplink.disconnected();
      }

      @Override
      public void message(String channel, String from, JsonElement data) {}

      @Override
      public void direct(String from, JsonElement data) {}
    };
  }
}
