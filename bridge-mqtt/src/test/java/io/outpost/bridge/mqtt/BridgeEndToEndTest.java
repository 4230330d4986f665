package io.outpost.bridge.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.ReplayEnvelope;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import io.outpost.relay.TokenRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent ({@code outpost run} in a child JVM) with the bridge, the real relay and a real
 * Mosquitto: every sequence number published locally arrives on the network although the agent is
 * killed with SIGKILL, the broker restarted and the relay restarted in the middle of the stream;
 * and a fleet command reaches a local MQTT client.
 */
class BridgeEndToEndTest {
  @TempDir Path dir;
  final List<AutoCloseable> closing = new ArrayList<>();
  final RelayKeys keys = RelayKeys.development();
  Relay relay;
  int relayPort;

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      try {
        closing.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    if (relay != null) {
      relay.close();
    }
    // Keep the agent's log for a failed run's diagnosis.
    Path keep = Path.of("target", "e2e-logs");
    Files.createDirectories(keep);
    for (String f : List.of("agent.log", "agent.out", "status.json", "broker/mosquitto.log")) {
      if (Files.exists(dir.resolve(f))) {
        Files.copy(
            dir.resolve(f),
            keep.resolve(Path.of(f).getFileName()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  void startRelay() throws Exception {
    relay =
        Relay.start(
            RelaySettings.builder()
                .listen(new InetSocketAddress("127.0.0.1", relayPort))
                .keys(keys)
                .build());
  }

  /** The relay on a free port and a Mosquitto of this test's own; returns the broker. */
  Mosquitto startRelayAndBroker() throws Exception {
    relayPort = Mosquitto.freePort();
    startRelay();
    Mosquitto broker = Mosquitto.start(dir.resolve("broker"));
    closing.add(broker);
    return broker;
  }

  String bearer() {
    var k = keys.firstSecretKey().orElseThrow();
    return k.id() + ":" + k.secret();
  }

  Path config(Mosquitto broker) throws Exception {
    Path profile = dir.resolve("profile.json");
    Files.writeString(
        profile,
        "{\"name\": \"t\", \"description\": \"t\", \"sensors\": [{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"60s\"}]}");
    String origin = "ws://127.0.0.1:" + relayPort;
    String json =
        """
        {"device": {"id": "pi-mqtt", "fleet": "lab"},
         "network": {"url": "ORIGIN", "token": {"url": "ORIGIN_HTTP/v1/tokens", "bearer": {"value": "BEARER"}, "ttl": "1h"}},
         "profile": "PROFILE",
         "stateDir": "STATE",
         "status": {"file": "STATUS", "fileInterval": "200ms"},
         "buffer": {"commitInterval": "10ms"},
         "log": {"level": "info", "file": "LOG"},
         "plugins": {"dirs": []},
         "commands": {"allowFrom": ["backend"]},
         "bridge": {"broker": "BROKER", "keepAlive": "5s",
           "out": [{"filter": "meters/+/reading", "qos": 1}],
           "in": [{"command": "mqtt.", "topic": "site/{name}", "qos": 1}]}}
        """
            .replace("ORIGIN_HTTP", "http://127.0.0.1:" + relayPort)
            .replace("ORIGIN", origin)
            .replace("BEARER", bearer())
            .replace("PROFILE", profile.toString())
            .replace("STATE", dir.resolve("state").toString())
            .replace("STATUS", dir.resolve("status.json").toString())
            .replace("LOG", dir.resolve("agent.log").toString())
            .replace("BROKER", broker.url());
    Path file = dir.resolve("agent.json");
    Files.writeString(file, json);
    return file;
  }

  /**
   * {@code outpost <command> --config <config>} as a child JVM from this test's class path, with
   * the JVM options of a small board plus {@code jvmOptions}.
   */
  static ProcessBuilder outpost(String command, Path config, String... jvmOptions) {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    line.add("-XX:+UseSerialGC");
    line.add("-XX:TieredStopAtLevel=1");
    line.addAll(List.of(jvmOptions));
    line.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.outpost.agent.cli.Main",
            command,
            "--config",
            config.toString()));
    return new ProcessBuilder(line);
  }

  /** {@code outpost run} as a child JVM from this test's class path. */
  Process startAgent(Path config) throws Exception {
    Process p =
        outpost("run", config, "-Xmx64m")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.out").toFile()))
            .start();
    closing.add(p::destroyForcibly);
    return p;
  }

  /** Starts the agent (again) and waits until its bridge is connected. */
  Process startConnected(Path config) throws Exception {
    Files.deleteIfExists(dir.resolve("status.json"));
    Process p = startAgent(config);
    await().atMost(Duration.ofSeconds(30)).until(() -> bridgeHealth().equals("ok"));
    return p;
  }

  String bridgeHealth() {
    try {
      JsonObject s =
          JsonParser.parseString(Files.readString(dir.resolve("status.json"))).getAsJsonObject();
      return s.getAsJsonObject("services").get("bridge-mqtt").getAsString();
    } catch (Exception e) {
      return "";
    }
  }

  /** A network client that records every {@code mqtt.message} on the device's events channel. */
  RealtimeClient recorder(Map<Long, AtomicInteger> seen) throws Exception {
    return eventsClient(
        backendConfig().reconnectMaxDelay(Duration.ofMillis(500)),
        d -> {
          if ("mqtt.message".equals(d.get("type").getAsString())) {
            long seq = d.getAsJsonObject("payload").get("seq").getAsLong();
            seen.computeIfAbsent(seq, k -> new AtomicInteger()).incrementAndGet();
          }
        });
  }

  /** A network client that records every {@code command.result} on the device's events channel. */
  RealtimeClient resultRecorder(Map<String, JsonObject> results) throws Exception {
    return eventsClient(
        backendConfig(),
        d -> {
          if ("command.result".equals(d.get("type").getAsString())) {
            results.put(d.get("id").getAsString(), d);
          }
        });
  }

  /** The backend's client: the relay on loopback, a token for the devices' and fleets' channels. */
  RealtimeConfig.Builder backendConfig() {
    return RealtimeConfig.builder()
        .url("ws://127.0.0.1:" + relayPort)
        .tokenProvider(
            () ->
                CompletableFuture.completedFuture(
                    relay.mintToken(
                        TokenRequest.builder("backend")
                            .channels(List.of("devices/**", "fleets/**"))
                            .permissions(List.of("subscribe", "publish", "send"))
                            .ttl(Duration.ofHours(1))
                            .build())))
        .deviceMode(true);
  }

  /**
   * A client subscribed to the device's events channel that hands each message to {@code each};
   * messages the agent stored during an outage come packed in replay envelopes and are unpacked.
   */
  RealtimeClient eventsClient(RealtimeConfig.Builder config, Consumer<JsonObject> each)
      throws Exception {
    RealtimeClient c =
        RealtimeClient.create(
            config.build(),
            new RealtimeListener() {
              @Override
              public void onMessage(ChannelMessage m) {
                for (JsonElement e : ReplayEnvelope.unpack(m.data())) {
                  each.accept(e.getAsJsonObject());
                }
              }
            });
    closing.add(c::close);
    c.connect().get(10, TimeUnit.SECONDS);
    c.subscribe("devices/pi-mqtt/events").get(10, TimeUnit.SECONDS);
    return c;
  }

  @Test
  void nothingPublishedLocallyIsLostAcrossAgentKillBrokerRestartAndRelayRestart() throws Exception {
    Mosquitto broker = startRelayAndBroker();
    Path config = config(broker);
    Process agent = startConnected(config);
    Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    recorder(seen);

    int total = 500;
    Publisher pub = new Publisher(broker, total);
    pub.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> pub.sent.get() >= 100);
    agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: nothing flushed
    agent = startConnected(config);
    broker.restart(); // sessions and queued messages survive (saved at a clean stop)
    await().atMost(Duration.ofSeconds(30)).until(() -> pub.sent.get() >= 300);
    // Killed again, and the relay restarts meanwhile; the broker keeps queueing for the bridge.
    agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    relay.close();
    startRelay();
    // Pub/sub keeps nothing for absent subscribers: the recorder must be back before the agent.
    awaitSubscribed(seen);
    agent = startConnected(config);
    pub.join(60_000);
    assertThat(pub.failure).isNull();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (seen.keySet().stream().filter(k -> k >= 0).count() < total
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    seen.remove(-1L);
    Set<Long> expected = new java.util.TreeSet<>();
    for (long i = 0; i < total; i++) {
      expected.add(i);
    }
    expected.removeAll(seen.keySet());
    assertThat(expected).as("sequence numbers that never arrived on the network").isEmpty();
    long duplicates =
        seen.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1).count();
    // QoS 1 allows duplicates (redelivery of what was in flight at the kill); they are few.
    assertThat(duplicates).isLessThan(total / 5);
    agent.destroy();
  }

  @Test
  void aFleetCommandReachesALocalMqttClient() throws Exception {
    Mosquitto broker = startRelayAndBroker();
    startConnected(config(broker));
    Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    RealtimeClient backend = recorder(seen);
    Process sub = broker.sub("site/#", 1);
    Thread.sleep(300);
    backend
        .publish(
            "fleets/lab/commands",
            JsonParser.parseString(
                "{\"type\": \"command\", \"id\": \"c-42\", \"name\": \"mqtt.valve\", \"args\": {\"open\": true}, \"target\": \"*\"}"))
        .get(10, TimeUnit.SECONDS);
    assertThat(sub.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String line = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    // The command's args are the payload (the rule's default "payload": "args").
    assertThat(line).isEqualTo("site/valve {\"open\":true}");
  }

  @Test
  void commandsForADownedBrokerSurviveAKill9OfTheAgentAndArriveInOrderWhenItReturns()
      throws Exception {
    Mosquitto broker = startRelayAndBroker();
    Path config = config(broker);
    Process agent = startConnected(config);
    Map<String, JsonObject> results = new ConcurrentHashMap<>();
    RealtimeClient backend = resultRecorder(results);
    broker.subscribeForLater("site-app", "site/#"); // a local client's persistent session
    broker.stop();
    await().atMost(Duration.ofSeconds(20)).until(() -> bridgeHealth().startsWith("degraded"));

    int total = 20;
    for (int i = 0; i < total; i++) {
      String id = "c-" + i;
      backend
          .publish(
              "fleets/lab/commands",
              JsonParser.parseString(
                  "{\"type\": \"command\", \"id\": \""
                      + id
                      + "\", \"name\": \"mqtt.step\", \"args\": {\"n\": "
                      + i
                      + "}, \"target\": \"*\"}"))
          .get(10, TimeUnit.SECONDS);
      // One at a time: the agent runs commands concurrently, and the order under test is the
      // queue's. "accepted" + "queued" means it is in the durable queue.
      await().atMost(Duration.ofSeconds(10)).until(() -> results.containsKey(id));
      assertThat(results.get(id).get("status").getAsString()).isEqualTo("accepted");
      assertThat(results.get(id).getAsJsonObject("result").get("queued").getAsBoolean()).isTrue();
    }
    agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL with 20 messages queued

    broker.startAgain();
    Process sub = broker.sub("site/#", total, "-c", "-i", "site-app", "-q", "1");
    startConnected(config);
    assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      expected.add("site/step {\"n\":" + i + "}");
    }
    assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines())
        .containsExactlyElementsOf(expected);
  }

  @Test
  void outpostHealthFailsWhileTheBrokerIsDownLongerThanTheGraceAndRecoversWithIt()
      throws Exception {
    Mosquitto broker = startRelayAndBroker();
    Path config = config(broker);
    Files.writeString(
        config,
        Files.readString(config)
            .replace("\"keepAlive\": \"5s\"", "\"keepAlive\": \"5s\", \"unhealthyAfter\": \"2s\""));
    startAgent(config);
    await().atMost(Duration.ofSeconds(30)).until(() -> health(config).startsWith("0 healthy"));

    broker.stop();
    String down =
        await().atMost(Duration.ofSeconds(30)).until(() -> health(config), h -> h.startsWith("1 "));
    assertThat(down)
        .contains("plugin service bridge-mqtt is down: failed: broker " + broker.url())
        .contains("unhealthy after 2 s");

    broker.startAgain();
    await().atMost(Duration.ofSeconds(40)).until(() -> health(config).startsWith("0 healthy"));
  }

  /** {@code outpost health --config FILE} as a child JVM: its exit code, a space, its output. */
  String health(Path config) throws Exception {
    Process p = outpost("health", config).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + " " + out;
  }

  /** Publishes probes (seq -1) over REST until the recorder hears one. */
  void awaitSubscribed(Map<Long, AtomicInteger> seen) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              var req =
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "http://127.0.0.1:"
                                  + relayPort
                                  + "/v1/channels/devices%2Fpi-mqtt%2Fevents/publish"))
                      .header("Authorization", "Bearer " + bearer())
                      .header("Content-Type", "application/json")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofString(
                              "{\"data\": {\"type\": \"mqtt.message\", \"payload\": {\"seq\": -1}}}"))
                      .build();
              try {
                http.send(req, java.net.http.HttpResponse.BodyHandlers.discarding());
              } catch (java.io.IOException e) {
                return false;
              }
              return seen.containsKey(-1L);
            });
  }

  /**
   * Publishes {"seq": n} QoS 1 with a persistent session, retrying each until the broker has it.
   */
  static final class Publisher extends Thread {
    final AtomicInteger sent = new AtomicInteger();
    final Mosquitto broker;
    final int total;
    volatile Throwable failure;

    Publisher(Mosquitto broker, int total) {
      this.broker = broker;
      this.total = total;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        MqttClient c = null;
        for (int i = 0; i < total; ) {
          try {
            if (c == null) {
              // A fresh client after each failure: Paho's resumed in-flight state can upset the
              // broker after its restart; the retry below re-sends the message instead.
              c = new MqttClient(broker.url(), "meter-1", new MemoryPersistence());
              c.connect(o);
            }
            c.publish(
                "meters/m1/reading",
                new MqttMessage(
                    ("{\"seq\": " + i + "}").getBytes(StandardCharsets.UTF_8), 1, false, null));
            sent.incrementAndGet();
            i++;
            Thread.sleep(15);
          } catch (Exception e) {
            if (c != null) {
              try {
                c.disconnectForcibly(0, 0, false);
                c.close(true);
              } catch (Exception ignored) {
                // already gone
              }
              c = null;
            }
            Thread.sleep(100);
          }
        }
        c.disconnect();
        c.close();
      } catch (Throwable t) {
        failure = t;
      }
    }
  }
}
