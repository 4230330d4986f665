package io.outpost.bench.bridge;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The Outpost bridge against Mosquitto's own bridge under the same load, in the same run: one site
 * broker (A) receives N QoS 1 messages {@code {"seq": n, "t": nanoTime}}; a second Mosquitto (B)
 * bridges {@code bench/#} from A the Mosquitto way, and the agent ({@code outpost run}, child JVM)
 * bridges it to an in-process relay as batched SenML. Both receivers live in this JVM, so the
 * publisher's nanoTime gives each message's end-to-end delay. Prints messages/s carried (first
 * publish to last arrival) and the 50th/99th percentile delay for each.
 *
 * <p>Then, in the same run and with the same processes, the loss each bridge suffers ({@link
 * LossPhases}): sequence-numbered messages across (a) a clean restart of the site broker A and (b)
 * a SIGKILL of each bridging process (the agent, and Mosquitto B) in the middle of a stream.
 *
 * <p>Usage: {@code bench/run-bridge.sh [MESSAGES [LOSS_MESSAGES]]} (default 20000 and 10000; 0
 * skips the loss phases).
 */
public final class BridgeBench {
  private static final java.util.concurrent.atomic.AtomicLong LAST_MOSQUITTO =
      new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong LAST_OUTPOST =
      new java.util.concurrent.atomic.AtomicLong();

  private BridgeBench() {}

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int lossTotal = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Path dir = Files.createTempDirectory("bridge-bench-");
    List<Process> processes = new ArrayList<>();
    int pa = freePort();
    int pb = freePort();
    Sites sites = new Sites(dir, pa, pb);
    processes.add(sites.startA());
    processes.add(sites.startB());
    RelayKeys keys = RelayKeys.development();
    int relayPort = freePort();
    java.util.concurrent.atomic.AtomicReference<Relay> relays =
        new java.util.concurrent.atomic.AtomicReference<>(startRelay(relayPort, keys));
    var key = keys.firstSecretKey().orElseThrow();
    Path config = dir.resolve("agent.json");
    Files.writeString(
        config,
        ("""
        {"device": {"id": "pi-bench", "fleet": "bench"},
         "network": {"url": "ws://127.0.0.1:RP", "token": {"url": "http://127.0.0.1:RP/v1/tokens", "bearer": {"value": "BEARER"}, "ttl": "1h"}},
         "profile": "PROFILE", "stateDir": "DIR/state",
         "status": {"file": "DIR/status.json", "fileInterval": "1s"},
         "log": {"level": "warn", "file": "DIR/agent.log"}, "plugins": {"dirs": []},
         "bridge": {"broker": "tcp://127.0.0.1:PA",
           "out": [{"filter": "bench/#", "as": "senml", "name": "{2}", "batch": {"maxRecords": 400, "maxDelay": "50ms"}}]}}
        """)
            .replace("RP", "" + relayPort)
            .replace("BEARER", key.id() + ":" + key.secret())
            .replace("PROFILE", profile(dir).toString())
            .replace("DIR", dir.toString())
            .replace("PA", "" + pa));
    sites.agentConfig = config;
    processes.add(sites.startAgent());
    try {
      // Seqs [0, total) measure throughput and delay; the loss phases use the two ranges after.
      long[] viaOutpost = new long[total + 3 * lossTotal];
      long[] viaMosquitto = new long[total + 3 * lossTotal];
      Arrays.fill(viaOutpost, -1);
      Arrays.fill(viaMosquitto, -1);
      RealtimeClient network = recorder(relays, relayPort, viaOutpost);
      MqttClient b = new MqttClient("tcp://127.0.0.1:" + pb, "bench-b", new MemoryPersistence());
      // Paho 1.2.5's MqttClient.subscribe(topic, qos, listener) recurses forever: use a callback.
      b.setCallback(
          new MqttCallback() {
            public void disconnected(MqttDisconnectResponse r) {}

            public void mqttErrorOccurred(MqttException e) {}

            public void messageArrived(String topic, MqttMessage m) {
              String s = new String(m.getPayload(), StandardCharsets.UTF_8);
              int seq = Integer.parseInt(s.substring(s.indexOf(':') + 2, s.indexOf(',')));
              long t = Long.parseLong(s.substring(s.lastIndexOf(':') + 2, s.length() - 1));
              long now = System.nanoTime();
              viaMosquitto[seq] = now - t;
              LAST_MOSQUITTO.accumulateAndGet(now, Math::max);
            }

            public void deliveryComplete(IMqttToken t) {}

            public void connectComplete(boolean r, String u) {}

            public void authPacketArrived(int r, MqttProperties p) {}
          });
      // A persistent session that survives B's restarts, as a site's consumer of B would have.
      MqttConnectionOptions bo = new MqttConnectionOptions();
      bo.setCleanStart(false);
      bo.setSessionExpiryInterval(3600L);
      bo.setAutomaticReconnect(true);
      bo.setAutomaticReconnectDelay(1, 2);
      b.connect(bo);
      b.subscribe("bench/#", 1);
      waitForBridge(dir.resolve("status.json"));
      Thread.sleep(2000); // Mosquitto's bridge connects too
      long start = System.nanoTime();
      publish(pa, total, 0);
      long published = System.nanoTime();
      waitAll(viaOutpost, viaMosquitto, 0, total, Duration.ofSeconds(120));
      report("Mosquitto bridge (B <- A)", viaMosquitto, total, LAST_MOSQUITTO.get() - start);
      report("Outpost bridge (A -> network)", viaOutpost, total, LAST_OUTPOST.get() - start);
      System.out.printf(
          "published %d QoS 1 messages in %.2f s%n", total, (published - start) / 1e9);
      if (lossTotal > 0) {
        LossPhases.FarSide farSide =
            new LossPhases.FarSide() {
              @Override
              public void away() throws Exception {
                b.disconnect(); // its persistent session at B keeps queueing
                relays.get().close();
              }

              @Override
              public void back() throws Exception {
                relays.set(startRelay(relayPort, keys));
                awaitRecorder(relayPort, key.id() + ":" + key.secret());
                b.reconnect();
              }
            };
        new LossPhases(sites, viaOutpost, viaMosquitto, farSide).run(total, lossTotal);
      }
      b.disconnect();
      network.close();
    } finally {
      relays.get().close();
      processes.addAll(sites.running());
      for (Process p : processes) {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static Path profile(Path dir) throws IOException {
    Path p = dir.resolve("profile.json");
    Files.writeString(
        p,
        "{\"name\": \"b\", \"description\": \"b\", \"sensors\": [{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"60s\"}]}");
    return p;
  }

  /** Publishes {"seq": first + n, "t": nanoTime} QoS 1 with up to 500 in flight. */
  static void publish(int port, int total, int first) throws Exception {
    Semaphore window = new Semaphore(500);
    MqttAsyncClient c =
        new MqttAsyncClient("tcp://127.0.0.1:" + port, "bench-pub", new MemoryPersistence());
    c.setCallback(
        new MqttCallback() {
          public void disconnected(MqttDisconnectResponse r) {}

          public void mqttErrorOccurred(MqttException e) {}

          public void messageArrived(String t, MqttMessage m) {}

          public void deliveryComplete(IMqttToken t) {
            window.release();
          }

          public void connectComplete(boolean r, String u) {}

          public void authPacketArrived(int r, MqttProperties p) {}
        });
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setReceiveMaximum(1000);
    c.connect(o).waitForCompletion();
    for (int i = 0; i < total; i++) {
      window.acquire();
      byte[] payload =
          ("{\"seq\": " + (first + i) + ", \"t\": " + System.nanoTime() + "}")
              .getBytes(StandardCharsets.UTF_8);
      c.publish("bench/m", new MqttMessage(payload, 1, false, null));
    }
    window.acquire(500);
    c.disconnect().waitForCompletion();
    c.close();
  }

  private static Relay startRelay(int port, RelayKeys keys) throws IOException {
    return Relay.start(
        RelaySettings.builder()
            .listen(new InetSocketAddress("127.0.0.1", port))
            .keys(keys)
            .build());
  }

  private static volatile boolean probed;

  /**
   * Publishes probes over REST until the recorder (re-subscribed after a relay restart) hears one.
   */
  private static void awaitRecorder(int port, String bearer) throws Exception {
    probed = false;
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!probed && System.nanoTime() < until) {
      var req =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create(
                      "http://127.0.0.1:"
                          + port
                          + "/v1/channels/devices%2Fpi-bench%2Fevents/publish"))
              .header("Authorization", "Bearer " + bearer)
              .header("Content-Type", "application/json")
              .POST(
                  java.net.http.HttpRequest.BodyPublishers.ofString(
                      "{\"data\": {\"type\": \"probe\"}}"))
              .build();
      try {
        http.send(req, java.net.http.HttpResponse.BodyHandlers.discarding());
      } catch (IOException notYet) {
        // the relay is starting
      }
      Thread.sleep(200);
    }
    if (!probed) {
      throw new IllegalStateException("the recorder did not come back after the relay restart");
    }
  }

  private static RealtimeClient recorder(
      java.util.concurrent.atomic.AtomicReference<Relay> relay, int port, long[] delays)
      throws Exception {
    ConcurrentHashMap<Integer, Boolean> unused = new ConcurrentHashMap<>();
    RealtimeClient c =
        RealtimeClient.create(
            RealtimeConfig.builder()
                .url("ws://127.0.0.1:" + port)
                .tokenProvider(
                    () ->
                        CompletableFuture.completedFuture(
                            relay
                                .get()
                                .mintToken(
                                    TokenRequest.builder("bench-backend")
                                        .channels(List.of("devices/**"))
                                        .permissions(List.of("subscribe"))
                                        .ttl(Duration.ofHours(1))
                                        .build())))
                .reconnectMaxDelay(Duration.ofMillis(500))
                .build(),
            new RealtimeListener() {
              @Override
              public void onMessage(ChannelMessage m) {
                long now = System.nanoTime();
                // What the agent stored while the relay was away comes in replay envelopes.
                for (JsonElement data : ReplayEnvelope.unpack(m.data())) {
                  record(now, data.getAsJsonObject());
                }
              }

              private void record(long now, JsonObject d) {
                if (d.has("type") && "probe".equals(d.get("type").getAsString())) {
                  probed = true;
                }
                if (!d.has("records")) {
                  return;
                }
                int seq = -1;
                for (JsonElement e : d.getAsJsonArray("records")) {
                  JsonObject r = e.getAsJsonObject();
                  String n = r.get("n").getAsString();
                  if (n.endsWith("/seq")) {
                    seq = r.get("v").getAsInt();
                  } else if (n.endsWith("/t") && seq >= 0 && seq < delays.length) {
                    delays[seq] = now - r.get("v").getAsLong();
                    LAST_OUTPOST.accumulateAndGet(now, Math::max);
                  }
                }
              }
            });
    c.connect().get(10, TimeUnit.SECONDS);
    c.subscribe("devices/pi-bench/events").get(10, TimeUnit.SECONDS);
    unused.clear();
    return c;
  }

  static void waitForBridge(Path status) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      if (Files.exists(status) && Files.readString(status).contains("\"bridge-mqtt\": \"ok\"")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the agent's bridge did not connect; see " + status);
  }

  /** Waits until both have every seq in [from, to), or the timeout. */
  static void waitAll(long[] a, long[] b, int from, int to, Duration timeout)
      throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until && (missing(a, from, to) > 0 || missing(b, from, to) > 0)) {
      Thread.sleep(100);
    }
  }

  /** Seqs in [from, to) that never arrived. */
  static long missing(long[] d, int from, int to) {
    return Arrays.stream(d, from, to).filter(x -> x < 0).count();
  }

  private static void report(String what, long[] delays, int n, long elapsedNanos) {
    long[] got = Arrays.stream(delays, 0, n).filter(x -> x >= 0).sorted().toArray();
    System.out.printf(
        "%-30s received %d/%d, %.0f messages/s (first publish to last arrival), p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        what,
        got.length,
        n,
        got.length / (elapsedNanos / 1e9),
        pct(got, 0.50) / 1e6,
        pct(got, 0.99) / 1e6,
        got.length == 0 ? 0 : got[got.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, p * sorted.length)];
  }

  static Process mosquitto(Path dir, int port, List<String> extra) throws Exception {
    Files.createDirectories(dir);
    List<String> conf = new ArrayList<>();
    conf.add("listener " + port + " 127.0.0.1");
    // Sessions survive a clean restart, as on a site (Mosquitto saves them at a clean stop and
    // every
    // autosave_interval, 30 min by default).
    conf.add("persistence true");
    conf.add("persistence_location " + dir + "/");
    conf.add("allow_anonymous true");
    conf.add("user " + System.getProperty("user.name"));
    conf.add("max_queued_messages 1000000");
    conf.add("max_inflight_messages 1000");
    conf.addAll(extra);
    Files.write(dir.resolve("mosquitto.conf"), conf);
    String exe =
        Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
    Process p =
        new ProcessBuilder(exe, "-c", dir.resolve("mosquitto.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile()))
            .start();
    for (int i = 0; i < 200; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException("mosquitto did not start on " + port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
