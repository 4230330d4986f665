package io.outpost.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.outpost.agent.Agent;
import io.outpost.agent.Closeables;
import io.outpost.agent.NodeScripts;
import io.outpost.agent.RelayFixture;
import io.outpost.agent.TestConfigs;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.profiles.SensorRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catch-up path end to end: the agent's link to a real relay is cut while a fast counter keeps
 * producing, so a backlog builds in its durable outbox; when the link comes back the backlog goes
 * out in replay envelopes. A consumer on Metered's JS SDK, subscribed the whole time, unpacks them
 * and accounts for every seq: none missing, duplicates only by id.
 */
@Timeout(90)
class ReplayToSdkSubscriberTest {
  @TempDir Path dir;
  private RelayFixture relay;
  private CuttableProxy proxy;
  private Agent agent;
  private Process node;
  private BufferedReader nodeOut;
  private Writer nodeIn;

  @BeforeAll
  static void installSdk() throws Exception {
    NodeScripts.installSdk();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (node != null) {
      node.destroyForcibly();
    }
    Closeables.closeAll(agent, proxy, relay);
  }

  private JsonObject report() throws Exception {
    nodeIn.write("report\n");
    nodeIn.flush();
    String line = nodeOut.readLine();
    assertThat(line).as("a report (stderr in target/replay-subscriber.err)").isNotNull();
    return JsonParser.parseString(line).getAsJsonObject();
  }

  @Test
  void anSdkSubscriberUnpacksTheReplayAndMissesNoSeq() throws Exception {
    relay = RelayFixture.started();
    proxy = new CuttableProxy(relay.relay().port());
    node =
        NodeScripts.startSdkPeer(
            "replay-subscriber.cjs",
            relay.mint("backend-js", List.of("devices/**"), List.of("subscribe")),
            relay.origin(),
            "pi-replay");
    nodeOut =
        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    nodeIn = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
    assertThat(nodeOut.readLine()).isEqualTo("{\"event\":\"ready\"}");

    String via = "127.0.0.1:" + proxy.port();
    Map<String, Object> network =
        Map.of(
            "url",
            "ws://" + via,
            "reconnectMaxDelay",
            "1s",
            "token",
            Map.of(
                "url",
                "http://" + via + "/v1/tokens",
                "bearer",
                Map.of("value", relay.bearer()),
                "ttl",
                "1h"));
    Path profile =
        TestConfigs.profile(
            dir, "[{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"10ms\"}]");
    Map<String, Object> cfg =
        TestConfigs.againstRelay(dir, "pi-replay", network, profile.toString());
    // About 30 telemetry messages a second: a few seconds offline make a backlog of ~100.
    cfg.put("telemetry", Map.of("batch", Map.of("maxRecords", 3, "maxDelay", "50ms")));
    cfg.put("buffer", Map.of("commitInterval", "10ms"));
    AgentConfig config = TestConfigs.loader(Map.of()).load(cfg, "test", dir, true);
    SensorRegistry registry = SensorRegistry.builtIn();
    agent =
        Agent.start(
            config,
            TestConfigs.sensors(config, registry),
            registry.outputs(),
            new RealtimeLink(config),
            Clock.systemUTC(),
            List.of());

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> report().get("received").getAsInt() >= 20);
    proxy.cut();
    Thread.sleep(4000);
    int before = report().get("maxSeq").getAsInt();
    proxy.restore();

    // Everything produced during the cut and some more after it.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              JsonObject r = report();
              return r.get("maxSeq").getAsInt() > before + 150
                  && r.getAsJsonArray("missing").isEmpty();
            });
    agent.close();
    agent = null;
    JsonObject r = report();

    assertThat(r.getAsJsonArray("missing")).as(r.toString()).isEmpty();
    assertThat(r.get("conflicts").getAsInt()).as("a seq under two ids").isZero();
    assertThat(r.get("streams").getAsInt()).isEqualTo(1);
    assertThat(r.get("envelopes").getAsInt()).as("the backlog came packed").isPositive();
    assertThat(r.get("largest").getAsInt())
        .as("messages in the largest envelope: " + r)
        .isGreaterThan(50);
  }
}
