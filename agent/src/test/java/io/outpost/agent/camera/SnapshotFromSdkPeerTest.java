package io.outpost.agent.camera;

import static io.outpost.agent.EventsRecorder.type;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.outpost.agent.Agent;
import io.outpost.agent.Closeables;
import io.outpost.agent.EventsRecorder;
import io.outpost.agent.NodeScripts;
import io.outpost.agent.RelayFixture;
import io.outpost.agent.TestConfigs;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.uplink.RealtimeLink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path of a snapshot: an operator's peer on Metered's JS SDK publishes {@code
 * camera.snapshot} on {@code devices/<id>/commands}; the agent (simulated camera, real relay on
 * loopback) sends the JPEG as {@code attachment.chunk} events and the result's description through
 * its outbox; the peer reassembles the bytes and hashes them.
 */
@Timeout(90)
class SnapshotFromSdkPeerTest {
  @TempDir Path dir;
  private RelayFixture relay;
  private EventsRecorder backend;
  private Agent agent;
  private Process node;

  @BeforeAll
  static void installSdk() throws Exception {
    NodeScripts.installSdk();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (node != null) {
      node.destroyForcibly();
    }
    Closeables.closeAll(agent, backend, relay);
  }

  @Test
  void anSdkPeerReassemblesAChunkedSnapshotWithAMatchingSha256() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    Path profile =
        TestConfigs.write(
            dir,
            "camera-profile.json",
            "{\"name\": \"cam-test\", \"description\": \"camera\", \"sensors\": [],"
                + " \"cameras\": [{\"name\": \"cam\", \"type\": \"simulated\","
                + " \"maxWidth\": 4056, \"maxHeight\": 3040}]}");
    Map<String, Object> cfg =
        TestConfigs.againstRelay(dir, "pi-cam", relay.network("1h"), profile.toString());
    cfg.put("commands", Map.of("allowFrom", List.of("ops-*")));
    AgentConfig config = TestConfigs.loader(Map.of()).load(cfg, "test", dir, true);
    Cameras cameras = TestConfigs.cameras(config);
    SensorRegistry registry = SensorRegistry.builtIn();
    agent =
        Agent.start(
            config,
            List.of(),
            registry.outputs(),
            new RealtimeLink(config),
            Clock.systemUTC(),
            null,
            cameras);
    // Connected and subscribed to its commands once its first status is out.
    JsonObject status = backend.awaitMessage(type("status"), Duration.ofSeconds(20));
    assertThat(status.getAsJsonObject("services").get("camera.cam").getAsString()).isEqualTo("ok");

    node =
        NodeScripts.startSdkPeer(
            "snapshot-peer.cjs",
            relay.mint("ops-js", List.of("devices/**"), List.of("subscribe", "publish")),
            relay.origin(),
            "pi-cam",
            "snap-js-1",
            "{\"width\": 3000, \"height\": 2000, \"quality\": 100}");
    JsonObject jpeg = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (!"sent".equals(o.get("event").getAsString())) {
          jpeg = o;
          break;
        }
      }
    }
    assertThat(jpeg).as("the peer's verdict (stderr in target/snapshot-peer.err)").isNotNull();
    assertThat(jpeg.get("event").getAsString()).as(jpeg.toString()).isEqualTo("jpeg");
    assertThat(jpeg.get("chunks").getAsInt())
        .as("a picture this large is chunked")
        .isGreaterThan(1);
    assertThat(jpeg.get("sha256").getAsString())
        .isEqualTo(jpeg.get("expectedSha256").getAsString());
    assertThat(jpeg.get("size").getAsLong()).isEqualTo(jpeg.get("expectedSize").getAsLong());
    assertThat(jpeg.get("head").getAsString()).isEqualTo("ffd8");
    assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).isZero();
  }
}
