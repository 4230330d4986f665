package io.outpost.bridge.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.plugin.AgentService;
import io.outpost.plugin.Command;
import io.outpost.plugin.CommandResult;
import io.outpost.plugin.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge against a real Mosquitto: both directions, payload kinds, templates, QoS, status. */
class MqttBridgeTest {
  @TempDir Path dir;
  Mosquitto broker;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startBroker() throws Exception {
    broker = Mosquitto.start(dir.resolve("broker"));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    broker.close();
  }

  AgentService bridge(TestAgent agent) throws Exception {
    List<AgentService> services = new BridgeServiceFactory().create(agent);
    assertThat(services).hasSize(1);
    AgentService s = services.get(0);
    s.start(agent);
    closing.add(agent);
    closing.add(s);
    await().atMost(Duration.ofSeconds(10)).until(() -> s.health().equals("ok"));
    return s;
  }

  TestAgent agent(String json) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m =
        (Map<String, Object>)
            Payloads.toJava(
                com.google.gson.JsonParser.parseString(json.replace("URL", broker.url())));
    return new TestAgent(m, dir.resolve("state"));
  }

  MqttClient client(String id) throws Exception {
    MqttClient c = new MqttClient(broker.url(), id, new MemoryPersistence());
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    c.connect(o);
    closing.add(
        () -> {
          if (c.isConnected()) {
            c.disconnect();
          }
          c.close();
        });
    return c;
  }

  @Test
  void carriesEveryPayloadKindAsAnEventWithTopicQosRetainAndProperties() throws Exception {
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "out": [
              {"filter": "zigbee2mqtt/+/state", "channel": "sites/{fleetId}/{2}", "qos": 1},
              {"filter": "tasmota/#"}
            ]}""");
    bridge(agent);
    broker.pub("zigbee2mqtt/lamp/state", "{\"state\":\"ON\",\"brightness\":200}", "-q", "1");
    broker.pub("tasmota/plug1/power", "on", "-q", "0");
    broker.pub("tasmota/plug1/raw", "x", "-r");
    MqttClient c = client("pub");
    MqttMessage bin = new MqttMessage(new byte[] {(byte) 0xff, 0, 1, 2}, 1, false, null);
    MqttProperties p = new MqttProperties();
    p.setContentType("application/cbor");
    bin.setProperties(p);
    c.publish("tasmota/plug1/blob", bin);

    await().atMost(Duration.ofSeconds(10)).until(() -> agent.committed.size() == 4);
    assertThat(agent.on("sites/site-a/lamp")).as(agent.committed.toString()).hasSize(1);
    Map<String, Object> lamp = agent.on("sites/site-a/lamp").get(0);
    assertThat(lamp)
        .containsEntry("type", "mqtt.message")
        .containsEntry("topic", "zigbee2mqtt/lamp/state")
        .containsEntry("qos", 1)
        .containsEntry("retain", false)
        .containsEntry("payload", Map.of("state", "ON", "brightness", 200L));
    List<Map<String, Object>> events = agent.on("devices/pi-7/events");
    assertThat(events)
        .extracting(e -> e.get("topic"))
        .containsExactly("tasmota/plug1/power", "tasmota/plug1/raw", "tasmota/plug1/blob");
    assertThat(events.get(0)).containsEntry("payload", "on").containsEntry("qos", 0);
    assertThat(events.get(1)).containsEntry("retain", true);
    assertThat(events.get(2))
        .containsEntry("payload", "/wABAg==")
        .containsEntry("encoding", "base64")
        .containsEntry("contentType", "application/cbor")
        .containsEntry("properties", Map.of("contentType", "application/cbor"));
  }

  @Test
  void batchesNumbersAndFlatObjectsAsSenmlAndCountsBadPayloads() throws Exception {
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "out": [
              {"filter": "sensors/+/+", "as": "senml", "name": "{2}/{3}", "unit": "Cel",
               "batch": {"maxRecords": 3, "maxDelay": "300ms"}}
            ]}""");
    AgentService bridge = bridge(agent);
    broker.pub("sensors/greenhouse/temp", "21.5");
    broker.pub("sensors/greenhouse/env", "{\"t\": 20.5, \"open\": true, \"mode\": \"auto\"}");
    broker.pub("sensors/greenhouse/temp", "not a number");
    broker.pub("sensors/greenhouse/temp", "{\"nested\": {\"x\": 1}}");

    // One message's records stay together: the batch of 3 closes after the second message.
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.committed.size() >= 1);
    List<Map<String, Object>> t = agent.on("devices/pi-7/events");
    assertThat(t).hasSize(1);
    assertThat(t.get(0)).containsEntry("type", "telemetry").containsEntry("device", "pi-7");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> records = (List<Map<String, Object>>) t.get(0).get("records");
    assertThat(records)
        .extracting(r -> r.get("n"))
        .containsExactly(
            "greenhouse/temp", "greenhouse/env/t", "greenhouse/env/open", "greenhouse/env/mode");
    assertThat(records.get(0)).containsEntry("v", 21.5).containsEntry("u", "Cel");
    assertThat(records.get(2)).containsEntry("vb", true);
    assertThat(records.get(3)).containsEntry("vs", "auto");
    await().atMost(Duration.ofSeconds(5)).until(() -> outRule(bridge).get("dropped").equals(2L));
    Map<String, Object> rule = outRule(bridge);
    assertThat(rule).containsEntry("in", 4L).containsEntry("out", 2L).containsEntry("dropped", 2L);
    assertThat((String) rule.get("lastError"))
        .contains("not a number, boolean or flat JSON object");
    assertThat(rule).containsKey("lastErrorAt");
  }

  @Test
  void channelMessagesCommandsAndDirectMessagesReachMqttClients() throws Exception {
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "in": [
              {"channel": "fleets/{fleetId}/lights/**", "topic": "cmnd/{4}/POWER", "payload": "value"},
              {"command": "mqtt.", "topic": "site/{deviceId}/{name}", "qos": 1},
              {"direct": "display.text", "topic": "display/text", "payload": "text", "retain": true}
            ]}""");
    AgentService bridge = bridge(agent);
    Process sub = broker.sub("#", 3);
    Thread.sleep(300); // mosquitto_sub subscribed
    agent.deliver("fleets/site-a/lights/porch", Map.of("type", "light", "value", "ON"));
    CommandResult r =
        agent
            .commandHandlers
            .get("mqtt.")
            .handle(
                new Command(
                    "c-1",
                    "mqtt.valve.open",
                    new Options("args", Map.of("seconds", 30)),
                    "ops",
                    Instant.now().plusSeconds(10)));
    assertThat(r.status()).isEqualTo(CommandResult.Status.SUCCEEDED);
    agent.deliverDirect("peer-1", Map.of("type", "display.text", "text", "hello"));
    assertThat(sub.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    String out = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out.lines().toList())
        .containsExactly(
            "cmnd/porch/POWER ON", "site/pi-7/valve.open {\"seconds\":30}", "display/text hello");
    // A rule counts its publish once Paho reports it complete, which can be just after the
    // subscriber has the message.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              @SuppressWarnings("unchecked")
              List<Map<String, Object>> in = (List<Map<String, Object>>) bridge.status().get("in");
              assertThat(in).extracting(m -> m.get("out")).containsExactly(1L, 1L, 1L);
            });
  }

  @Test
  void messagesForTheBrokerWaitWhileItIsDownAndArriveInOrder() throws Exception {
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "unhealthyAfter": "1s", "publishRate": 200,
             "in": [{"channel": "cmd/**", "topic": "local/{2}"}]}""");
    AgentService bridge = bridge(agent);
    broker.stop();
    await().atMost(Duration.ofSeconds(10)).until(() -> bridge.health().startsWith("degraded"));
    for (int i = 0; i < 50; i++) {
      agent.deliver("cmd/x", Map.of("n", i));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> bridge.health().startsWith("failed"));
    assertThat(bridge.health()).contains("unhealthy after 1 s");
    assertThat(bridge.status()).containsEntry("queuedForBroker", 50);

    // A persistent subscriber gets all of them, in order, once the broker is back.
    broker.startAgain();
    Process sub = broker.sub("local/#", 50);
    long start = System.nanoTime();
    assertThat(sub.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    List<String> lines = new String(sub.getInputStream().readAllBytes()).lines().toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("local/x {\"n\":" + i + "}");
    }
    assertThat(lines).containsExactlyElementsOf(expected);
    await().atMost(Duration.ofSeconds(5)).until(() -> bridge.health().equals("ok"));
  }

  @Test
  void messagesQueuedForADownedBrokerSurviveTheAgentStoppingAndArriveInOrderAfterARestart()
      throws Exception {
    String cfg =
        """
        {"broker": "URL", "in": [{"channel": "cmd/**", "topic": "local/{2}"}]}""";
    TestAgent first = agent(cfg);
    AgentService a = bridge(first);
    broker.subscribeForLater("site-app", "local/#");
    broker.stop();
    for (int i = 0; i < 30; i++) {
      first.deliver("cmd/x", Map.of("n", i));
    }
    assertThat(a.status()).containsEntry("queuedForBroker", 30);
    a.close(); // the agent stops (or dies: each message was committed when it was queued)
    first.close();

    broker.startAgain();
    Process sub = broker.sub("local/#", 30, "-c", "-i", "site-app", "-q", "1");
    TestAgent second = agent(cfg); // same state directory: the same queue
    AgentService b = new BridgeServiceFactory().create(second).get(0);
    closing.add(second);
    closing.add(b);
    b.start(second);
    assertThat(sub.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add("local/x {\"n\":" + i + "}");
    }
    assertThat(new String(sub.getInputStream().readAllBytes()).lines().toList())
        .containsExactlyElementsOf(expected);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.status().get("queuedForBroker").equals(0));
  }

  @Test
  void aFullQueueForTheBrokerDropsTheOldestCountsThemAndDeliversTheRestInOrder() throws Exception {
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "queue": {"maxBytes": "1KB"},
             "in": [{"channel": "cmd/**", "topic": "local/{2}"}]}""");
    AgentService bridge = bridge(agent);
    broker.subscribeForLater("site-app", "local/#");
    broker.stop();
    // Each entry is 30 bytes (a 15-byte header, topic "local/x", payload {"n":NN}): 33 fit.
    for (int i = 10; i < 110; i++) {
      agent.deliver("cmd/x", Map.of("n", i));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> rule = ((List<Map<String, Object>>) bridge.status().get("in")).get(0);
    assertThat(rule).containsEntry("in", 100L).containsEntry("dropped", 67L);
    assertThat((String) rule.get("lastError")).contains("queue for the broker full (1000 bytes)");
    assertThat(bridge.status()).containsEntry("queuedForBroker", 33);

    broker.startAgain();
    Process sub = broker.sub("local/#", 33, "-c", "-i", "site-app", "-q", "1");
    assertThat(sub.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    List<String> expected = new ArrayList<>();
    for (int i = 77; i < 110; i++) {
      expected.add("local/x {\"n\":" + i + "}");
    }
    assertThat(new String(sub.getInputStream().readAllBytes()).lines().toList())
        .containsExactlyElementsOf(expected);
  }

  @Test
  void whatWasNotCommittedWhenTheBridgeDiedIsDeliveredAgainByTheBrokerAfterARestart()
      throws Exception {
    String cfg =
        """
        {"broker": "URL", "out": [{"filter": "m/#"}]}""";
    TestAgent first = agent(cfg);
    AgentService a = bridge(first);
    MqttClient c = client("meter");
    for (int i = 0; i < 10; i++) {
      c.publish("m/x", new MqttMessage(("" + i).getBytes(StandardCharsets.UTF_8), 1, false, null));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> first.committed.size() == 10);
    first.holdCommits(); // the agent dies with these in memory: never committed, never acked
    for (int i = 10; i < 20; i++) {
      c.publish("m/x", new MqttMessage(("" + i).getBytes(StandardCharsets.UTF_8), 1, false, null));
    }
    Thread.sleep(300);
    a.close();
    for (int i = 20; i < 30; i++) {
      c.publish("m/x", new MqttMessage(("" + i).getBytes(StandardCharsets.UTF_8), 1, false, null));
    }
    TestAgent second = agent(cfg);
    bridge(second);
    await().atMost(Duration.ofSeconds(10)).until(() -> second.committed.size() >= 20);
    assertThat(second.committed)
        .extracting(p -> p.data().get("payload"))
        .containsExactlyElementsOf(java.util.stream.LongStream.range(10, 30).boxed().toList());
  }

  @Test
  void doesNotEchoItsOwnPublishesBackToTheNetwork() throws Exception {
    // The in topic is matched by the out filter: MQTT 5's noLocal keeps the bridge from hearing it.
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "out": [{"filter": "home/#"}],
             "in": [{"channel": "devices/pi-7/events", "topic": "home/echo"}]}""");
    bridge(agent);
    agent.deliver("devices/pi-7/events", Map.of("type", "note", "text", "from the network"));
    broker.pub("home/real", "from a local device");
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.committed.size() >= 1);
    Thread.sleep(500);
    assertThat(agent.committed).extracting(p -> p.data().get("topic")).containsExactly("home/real");
    // And what the bridge itself put on the network is never sent back to MQTT.
    Process sub = broker.sub("home/echo", 1, "-W", "2");
    agent.deliver("devices/pi-7/events", agent.committed.get(0).data());
    sub.waitFor();
    assertThat(new String(sub.getInputStream().readAllBytes())).doesNotContain("home/echo");
  }

  @Test
  void speaksMqtt311ToOlderBrokersInBothDirections() throws Exception {
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "protocol": "3.1.1",
             "out": [{"filter": "meters/+"}],
             "in": [{"channel": "fleets/site-a/meters", "topic": "meters-cmd/all", "qos": 0}]}""");
    AgentService bridge = bridge(agent);
    broker.pub("meters/m1", "42", "-V", "mqttv311");
    Process sub = broker.sub("meters-cmd/#", 1, "-V", "mqttv311");
    Thread.sleep(300);
    agent.deliver("fleets/site-a/meters", Map.of("read", true));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.committed.size() == 1);
    assertThat(agent.committed.get(0).data()).containsEntry("payload", 42L);
    assertThat(sub.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(new String(sub.getInputStream().readAllBytes()))
        .contains("meters-cmd/all {\"read\":true}");
    assertThat(bridge.status().get("broker")).asString().contains("protocol=3.1.1");
  }

  @Test
  void aBrokerThatRefusesTheCredentialsIsReportedAndTheRightOnesFromAFileWork() throws Exception {
    broker.close();
    Path passwords = dir.resolve("passwd");
    Process p =
        new ProcessBuilder(
                "mosquitto_passwd", "-c", "-b", passwords.toString(), "outpost", "s3cret")
            .start();
    assertThat(p.waitFor()).isZero();
    broker =
        Mosquitto.start(
            dir.resolve("secure"), List.of("allow_anonymous false", "password_file " + passwords));
    TestAgent wrong =
        agent(
            """
            {"broker": "URL", "username": "outpost", "password": "guess", "unhealthyAfter": "1s", "connectTimeout": "2s",
             "out": [{"filter": "a/#"}]}""");
    AgentService refused = new BridgeServiceFactory().create(wrong).get(0);
    refused.start(wrong);
    closing.add(wrong);
    closing.add(refused);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> refused.status().get("broker").toString().contains("lastError"));
    // Down longer than unhealthyAfter: outpost health fails.
    await().atMost(Duration.ofSeconds(10)).until(() -> refused.health().startsWith("failed"));
    assertThat(refused.status().get("broker").toString()).containsIgnoringCase("not authorized");
    refused.close();

    java.nio.file.Files.writeString(dir.resolve("mqtt.pass"), "s3cret\n");
    TestAgent right =
        agent(
            """
            {"broker": "URL", "username": "outpost", "passwordFile": "PASSFILE", "out": [{"filter": "a/#"}]}"""
                .replace("PASSFILE", dir.resolve("mqtt.pass").toString()));
    bridge(right); // waits for "ok"
  }

  @Test
  void badTopicsFromTheNetworkAreDroppedAndCounted() throws Exception {
    TestAgent agent =
        agent(
            """
            {"broker": "URL", "in": [{"channel": "x/**", "topic": "y/{topic}", "payload": "v"}]}""");
    AgentService bridge = bridge(agent);
    agent.deliver("x/a", Map.of("other", 1)); // no "v"
    @SuppressWarnings("unchecked")
    Map<String, Object> rule = ((List<Map<String, Object>>) bridge.status().get("in")).get(0);
    assertThat(rule).containsEntry("dropped", 1L);
    assertThat((String) rule.get("lastError")).contains("message has no \"v\"");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> outRule(AgentService bridge) {
    return ((List<Map<String, Object>>) bridge.status().get("out")).get(0);
  }

  static List<String> collect(MqttClient c, String filter) throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    c.subscribe(filter, 1).waitForCompletion();
    return got;
  }
}
