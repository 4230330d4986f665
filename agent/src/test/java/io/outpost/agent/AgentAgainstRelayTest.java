package io.outpost.agent;

import static io.outpost.agent.EventsRecorder.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.status.Health;
import io.outpost.agent.status.StatusSnapshot;
import io.outpost.agent.uplink.RealtimeLink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent in this JVM against a real relay on loopback, observed by an independent
 * subscriber.
 */
@Timeout(60)
class AgentAgainstRelayTest {
  private static final Duration OUTPUT_WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private RelayFixture relay;
  private EventsRecorder backend;
  private Agent agent;

  @AfterEach
  void tearDown() throws Exception {
    Closeables.closeAll(agent, backend, relay);
  }

  private AgentConfig config(Map<String, Object> network) throws Exception {
    return config(network, Map.of());
  }

  private AgentConfig config(Map<String, Object> network, Map<String, Object> extra)
      throws Exception {
    Path profile =
        TestConfigs.profile(
            dir, "[{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"50ms\"}]");
    Map<String, Object> cfg = TestConfigs.againstRelay(dir, "pi-it", network, profile.toString());
    cfg.put("telemetry", Map.of("batch", Map.of("maxRecords", 10, "maxDelay", "200ms")));
    cfg.put("commands", Map.of("allowFrom", List.of("system", "ops-*")));
    cfg.putAll(extra);
    return TestConfigs.loader(Map.of()).load(cfg, "test", dir, true);
  }

  private Agent start(AgentConfig c) throws Exception {
    SensorRegistry registry = SensorRegistry.builtIn();
    return Agent.start(
        c,
        TestConfigs.sensors(c, registry),
        registry.outputs(),
        new RealtimeLink(c),
        Clock.systemUTC(),
        List.of());
  }

  @Test
  void telemetryStatusAndCommandsFlowThroughTheRelay() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    agent = start(config(relay.network("1h")));

    JsonObject status = backend.awaitMessage(type("status"), Duration.ofSeconds(20));
    assertThat(status.get("device").getAsString()).isEqualTo("pi-it");
    JsonObject t = backend.awaitMessage(type("telemetry"), Duration.ofSeconds(20));
    JsonObject first = t.getAsJsonArray("records").get(0).getAsJsonObject();
    assertThat(first.get("bn").getAsString()).isEqualTo("pi-it/");
    assertThat(first.get("n").getAsString()).isEqualTo("ctr/count");
    assertThat(t.get("id").getAsString())
        .isEqualTo("pi-it:" + t.get("stream").getAsString() + ":" + t.get("seq").getAsLong());

    // A backend command through the REST API, to the fleet.
    assertThat(
            relay.publish(
                "fleets/lab/commands",
                "{\"type\": \"command\", \"id\": \"c-rest\", \"name\": \"sample\", \"target\": \"*\"}"))
        .isEqualTo(200);
    JsonObject result =
        backend.awaitMessage(
            o -> type("command.result").test(o) && "c-rest".equals(o.get("id").getAsString()),
            Duration.ofSeconds(20));
    assertThat(result.get("status").getAsString()).isEqualTo("succeeded");
    assertThat(
            result
                .getAsJsonObject("result")
                .getAsJsonArray("records")
                .get(0)
                .getAsJsonObject()
                .get("n")
                .getAsString())
        .isEqualTo("ctr/count");

    // A direct command from an operator console is answered to the console too.
    try (EventsRecorder console = new EventsRecorder(relay, "ops-console-1")) {
      console
          .client()
          .send(
              "pi-it",
              Json.parse("{\"type\": \"command\", \"id\": \"c-direct\", \"name\": \"ping\"}"))
          .get();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  console.directs().stream()
                      .anyMatch(d -> "c-direct".equals(d.get("id").getAsString())));
      assertThat(console.directs().get(0).get("status").getAsString()).isEqualTo("succeeded");
    }
    // A command published by another device is refused (commands.allowFrom).
    try (EventsRecorder otherDevice = new EventsRecorder(relay, "pi-other")) {
      otherDevice
          .client()
          .publish(
              "devices/pi-it/commands",
              Json.parse(
                  "{\"type\": \"command\", \"id\": \"c-evil\", \"name\": \"agent.restart\"}"))
          .get();
      JsonObject refused =
          backend.awaitMessage(
              o -> type("command.result").test(o) && "c-evil".equals(o.get("id").getAsString()),
              Duration.ofSeconds(20));
      assertThat(refused.get("status").getAsString()).isEqualTo("rejected");
    }

    // The runtime status file says healthy: sampling, store writable, connected with recent acks.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Health.check(dir.resolve("status.json"), Instant.now()).healthy());
    assertThat(backend.unexplainedGaps(t.get("stream").getAsString())).isEmpty();
  }

  @Test
  void theStatusFileKeepsItsIntervalWhenTheSensorsTickLessOften() throws Exception {
    relay = RelayFixture.started();
    Path profile =
        TestConfigs.profile(
            dir, "[{\"name\": \"slow\", \"type\": \"sim.counter\", \"interval\": \"30s\"}]");
    // Written every 200 ms, just after the sampler's ticks where they come that often.
    agent =
        start(
            TestConfigs.loader(Map.of())
                .load(
                    TestConfigs.againstRelay(dir, "pi-it", relay.network("1h"), profile.toString()),
                    "test",
                    dir,
                    true));
    Path file = dir.resolve("status.json");
    Set<Instant> writtenAt = java.util.concurrent.ConcurrentHashMap.newKeySet();
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              writtenAt.add(StatusSnapshot.read(file).writtenAt());
              return writtenAt.size() >= 5;
            });
  }

  @Test
  void aRelayThatIsDownAtStartGetsEverythingOnceItIsUp() throws Exception {
    relay = RelayFixture.onFreePort();
    agent = start(config(relay.network("1h")));
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.outbox().pendingMessages() >= 3);
    // Knowingly offline is healthy only where the caller allows it; an OTA commit check is strict.
    assertThat(Health.check(dir.resolve("status.json"), Instant.now()).problems())
        .anyMatch(p -> p.startsWith("offline (") && p.contains("nothing was delivered"));
    Health.Verdict offline = Health.check(dir.resolve("status.json"), Instant.now(), true);
    assertThat(offline.healthy()).as("knowingly offline is healthy: %s", offline).isTrue();
    assertThat(offline.notes()).anyMatch(n -> n.startsWith("offline"));

    relay.start();
    backend = new EventsRecorder(relay, "backend");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> agent.outbox().pendingMessages() == 0 && !backend.seqsByStream().isEmpty());
    String stream = agent.outbox().stream();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> backend.seqsByStream().get(stream).contains(1L));
    assertThat(backend.unexplainedGaps(stream)).isEmpty();
  }

  @Test
  void anExpiringTokenIsRenewedWithoutLosingAMessage() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    agent = start(config(relay.network("2s")));
    String stream = agent.outbox().stream();
    Instant start = Instant.now();
    // Over three token lifetimes the relay closes the expiring connections (4002) and the agent
    // switches to connections with fresh tokens, while telemetry keeps flowing.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Duration.between(start, Instant.now()).toSeconds() >= 7
                    && backend.seqsByStream().getOrDefault(stream, java.util.Set.of()).size()
                        >= 20);
    @SuppressWarnings("unchecked")
    Map<String, Object> link = (Map<String, Object>) agent.status().get("link");
    assertThat((int) link.get("connects")).isGreaterThanOrEqualTo(3);
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.outbox().pendingMessages() == 0);
    assertThat(backend.unexplainedGaps(stream)).isEmpty();
  }

  @Test
  void aFullBufferDropsOldTelemetryAndTheSubscriberSeesGapsOnlyWhereBufferDroppedSaysSo()
      throws Exception {
    relay = RelayFixture.onFreePort();
    // A 6 kB outbox holds a handful of messages: offline, the oldest telemetry must make room.
    agent = start(config(relay.network("1h"), Map.of("buffer", Map.of("maxBytes", "6KB"))));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> (long) agent.outbox().stats().get("dropped") >= 20);
    relay.start();
    backend = new EventsRecorder(relay, "backend");
    String stream = agent.outbox().stream();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> backend.messages().stream().anyMatch(EventsRecorder.type("buffer.dropped")));
    await().atMost(Duration.ofSeconds(30)).until(() -> agent.outbox().pendingMessages() == 0);
    // Everything not announced as dropped arrived; the drops were real.
    Set<Long> seen = backend.seqsByStream().get(stream);
    long max = seen.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(max - seen.size()).as("missing sequence numbers").isGreaterThanOrEqualTo(20);
    assertThat(backend.unexplainedGaps(stream)).isEmpty();
    JsonObject drop =
        backend.awaitMessage(EventsRecorder.type("buffer.dropped"), Duration.ofSeconds(1));
    assertThat(drop.get("reason").getAsString()).isEqualTo("maxBytes");
  }

  @Test
  void aCorruptedStoreIsReportedAndTheAgentCarriesOn() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    java.nio.file.Files.createDirectories(dir.resolve("state"));
    java.nio.file.Files.writeString(
        dir.resolve("state/outbox.db"), "SQLite format 3\0 but then garbage".repeat(300));
    agent = start(config(relay.network("1h")));
    JsonObject status = backend.awaitMessage(type("status"), Duration.ofSeconds(20));
    assertThat(status.getAsJsonObject("buffer").get("recovery").getAsString())
        .startsWith("store was damaged");
    backend.awaitMessage(type("telemetry"), Duration.ofSeconds(20));
    assertThat(agent.outbox().writable()).isTrue();
  }

  // output.set end to end: the bundled greenhouse-sim profile, whose pump relay is a simulated
  // gpio-out; commands through the relay's REST API; the state in status messages and the file.
  // Shutdown (safe state, "outputs": {"pump": null}) is covered by RunProcessTest.

  private void startGreenhouse() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    agent =
        start(
            config(
                relay.network("1h"),
                Map.of(
                    "profile",
                    "greenhouse-sim",
                    "status",
                    Map.of(
                        "file",
                        dir.resolve("status.json").toString(),
                        "fileInterval",
                        "200ms",
                        "interval",
                        "500ms"))));
  }

  private JsonObject outputSet(String id, String argsJson) throws Exception {
    assertThat(
            relay.publish(
                "devices/pi-it/commands",
                "{\"type\": \"command\", \"id\": \""
                    + id
                    + "\", \"name\": \"output.set\", \"args\": "
                    + argsJson
                    + "}"))
        .isEqualTo(200);
    return backend.awaitMessage(
        o -> type("command.result").test(o) && id.equals(o.get("id").getAsString()), OUTPUT_WAIT);
  }

  private static Predicate<JsonObject> pumpIs(boolean on) {
    return o -> {
      JsonElement pump = o.has("outputs") ? o.getAsJsonObject("outputs").get("pump") : null;
      return pump != null && !pump.isJsonNull() && pump.getAsBoolean() == on;
    };
  }

  @Test
  void outputSetSwitchesThePumpAndStatusShowsIt() throws Exception {
    startGreenhouse();
    // The pump starts in its declared safe state (off) as soon as the sampler has started it.
    backend.awaitMessage(type("status").and(pumpIs(false)), OUTPUT_WAIT);

    JsonObject on = outputSet("pump-on", "{\"output\": \"pump\", \"value\": true}");
    assertThat(on.get("status").getAsString()).isEqualTo("succeeded");
    assertThat(on.get("name").getAsString()).isEqualTo("output.set");
    assertThat(on.getAsJsonObject("result").get("value").getAsBoolean()).isTrue();
    assertThat(on.getAsJsonObject("result").get("previous").getAsBoolean()).isFalse();

    // The status messages published after the command carry the new state, and so does the file.
    backend.awaitMessage(type("status").and(pumpIs(true)), OUTPUT_WAIT);
    AgentProcess.awaitStatus(dir.resolve("status.json"), pumpIs(true), OUTPUT_WAIT);

    JsonObject off = outputSet("pump-off", "{\"output\": \"pump\", \"value\": false}");
    assertThat(off.get("status").getAsString()).isEqualTo("succeeded");
    assertThat(off.getAsJsonObject("result").get("previous").getAsBoolean()).isTrue();
    AgentProcess.awaitStatus(dir.resolve("status.json"), pumpIs(false), OUTPUT_WAIT);
  }

  @Test
  void anUnknownOutputOrANonBooleanValueIsRejectedNamingTheArgument() throws Exception {
    startGreenhouse();
    backend.awaitMessage(type("status").and(pumpIs(false)), OUTPUT_WAIT);

    JsonObject unknown = outputSet("fan-on", "{\"output\": \"fan\", \"value\": true}");
    assertThat(unknown.get("status").getAsString()).isEqualTo("rejected");
    assertThat(unknown.getAsJsonObject("error").get("message").getAsString())
        .contains("output: \"fan\" is not an output of this device (outputs: [pump])");

    JsonObject notBoolean = outputSet("pump-yes", "{\"output\": \"pump\", \"value\": \"on\"}");
    assertThat(notBoolean.get("status").getAsString()).isEqualTo("rejected");
    assertThat(notBoolean.getAsJsonObject("error").get("message").getAsString())
        .contains("value: expected true or false, got \"on\"");

    JsonObject missing = outputSet("pump-what", "{\"value\": true}");
    assertThat(missing.get("status").getAsString()).isEqualTo("rejected");
    assertThat(missing.getAsJsonObject("error").get("message").getAsString())
        .contains("output: missing");

    // Nothing was switched.
    assertThat(agent.status().get("outputs")).isEqualTo(Map.of("pump", false));
  }
}
