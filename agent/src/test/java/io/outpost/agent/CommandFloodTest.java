package io.outpost.agent;

import static io.outpost.agent.EventsRecorder.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.uplink.RealtimeLink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands under attack, through a real relay: peers outside {@code commands.allowFrom} flood the
 * agent with junk on its command channel, as direct messages and as 15 KB commands, while the
 * backend sends valid and oversized commands. Telemetry keeps flowing, every valid command gets its
 * result, refusals are not echoed one for one, and the relay never cuts the agent off.
 */
@Timeout(120)
class CommandFloodTest {
  private static final int JUNK_PER_PEER = 300;
  private static final int VALID_REST = 40;
  private static final int OVERSIZED_REST = 20;
  private static final int VALID_DIRECT = 10;

  @TempDir Path dir;
  private RelayFixture relay;
  private EventsRecorder backend;
  private final List<AutoCloseable> peers = new ArrayList<>();
  private Agent agent;

  @AfterEach
  void tearDown() throws Exception {
    Closeables.closeAll(agent, backend, relay);
    for (AutoCloseable p : peers) {
      p.close();
    }
  }

  private AgentConfig config() throws Exception {
    Path profile =
        TestConfigs.profile(
            dir, "[{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"50ms\"}]");
    Map<String, Object> cfg =
        TestConfigs.againstRelay(dir, "pi-it", relay.network("1h"), profile.toString());
    cfg.put("telemetry", Map.of("batch", Map.of("maxRecords", 10, "maxDelay", "200ms")));
    cfg.put("commands", Map.of("allowFrom", List.of("system", "ops-*"), "maxBytes", "8KB"));
    return TestConfigs.loader(Map.of()).load(cfg, "test", dir, true);
  }

  private EventsRecorder peer(String id) throws Exception {
    EventsRecorder p = new EventsRecorder(relay, id);
    peers.add(p);
    return p;
  }

  private static String command(String id, String name, String padding) {
    return "{\"type\": \"command\", \"id\": \""
        + id
        + "\", \"name\": \""
        + name
        + "\", \"args\": {\"pad\": \""
        + padding
        + "\"}}";
  }

  @Test
  void aCommandFloodNeitherStarvesTelemetryNorLosesAValidCommandNorGetsTheAgentCutOff()
      throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    AgentConfig c = config();
    SensorRegistry registry = SensorRegistry.builtIn();
    agent =
        Agent.start(
            c,
            TestConfigs.sensors(c, registry),
            registry.outputs(),
            new RealtimeLink(c),
            Clock.systemUTC(),
            List.of());
    backend.awaitMessage(type("telemetry"), Duration.ofSeconds(20));

    // Telemetry arrival times, watched from here on.
    List<Long> telemetryAt = new CopyOnWriteArrayList<>();
    Thread watcher =
        new Thread(
            () -> {
              int seen = backend.messages().size();
              while (!Thread.currentThread().isInterrupted()) {
                List<JsonObject> all = backend.messages();
                for (int i = seen; i < all.size(); i++) {
                  if (type("telemetry").test(all.get(i))) {
                    telemetryAt.add(System.nanoTime());
                  }
                }
                seen = all.size();
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    watcher.start();

    EventsRecorder channelJunk = peer("pi-evil-1");
    EventsRecorder directJunk = peer("pi-evil-2");
    EventsRecorder bigJunk = peer("pi-evil-3");
    EventsRecorder console = peer("ops-console-1");
    String big = "x".repeat(15_000);
    long floodStart = System.nanoTime();
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < JUNK_PER_PEER; i++) {
      sent.add(
          channelJunk
              .client()
              .publish(
                  "devices/pi-it/commands", Json.parse(command("j1-" + i, "agent.restart", "")))
              .exceptionally(e -> null));
      sent.add(
          directJunk
              .client()
              .send("pi-it", Json.parse(i % 2 == 0 ? command("j2-" + i, "ping", "") : "[1, 2]"))
              .exceptionally(e -> null));
      sent.add(
          bigJunk
              .client()
              .publish("devices/pi-it/commands", Json.parse(command("j3-" + i, "ping", big)))
              .exceptionally(e -> null));
    }
    for (int i = 0; i < VALID_DIRECT; i++) {
      sent.add(console.client().send("pi-it", Json.parse(command("d-" + i, "ping", ""))));
    }
    for (int i = 0; i < VALID_REST; i++) {
      assertThat(relay.publish("devices/pi-it/commands", command("v-" + i, "ping", "")))
          .isEqualTo(200);
    }
    for (int i = 0; i < OVERSIZED_REST; i++) {
      assertThat(relay.publish("devices/pi-it/commands", command("o-" + i, "ping", big)))
          .isEqualTo(200);
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();

    // Every valid command gets its result; every oversized one is rejected as too large.
    Map<String, String> results = new ConcurrentHashMap<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              for (JsonObject o : backend.messages()) {
                if (type("command.result").test(o)) {
                  results.put(o.get("id").getAsString(), resultWord(o));
                }
              }
              return results.keySet().stream()
                      .filter(
                          id -> id.startsWith("v-") || id.startsWith("o-") || id.startsWith("d-"))
                      .count()
                  == VALID_REST + OVERSIZED_REST + VALID_DIRECT;
            });
    long floodEnd = System.nanoTime();
    watcher.interrupt();
    watcher.join();
    for (int i = 0; i < VALID_REST; i++) {
      assertThat(results).containsEntry("v-" + i, "succeeded");
    }
    for (int i = 0; i < VALID_DIRECT; i++) {
      assertThat(results).containsEntry("d-" + i, "succeeded");
    }
    for (int i = 0; i < OVERSIZED_REST; i++) {
      assertThat(results).containsEntry("o-" + i, "rejected/too_large");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> console.directs().size() >= VALID_DIRECT);

    // Refusals are summarised, not echoed: at most one answer per junk peer per 10 s.
    long floodSeconds = Math.max(1, (floodEnd - floodStart) / 1_000_000_000L);
    long allowedPerPeer = floodSeconds / 10 + 2;
    Set<String> junkAnswered =
        results.keySet().stream().filter(id -> id.startsWith("j")).collect(Collectors.toSet());
    assertThat(junkAnswered.size()).isLessThanOrEqualTo((int) (3 * allowedPerPeer));
    assertThat(directJunk.directs().size()).isLessThanOrEqualTo((int) allowedPerPeer);

    // Telemetry kept flowing throughout: no silence longer than 3 s, at least one a second.
    List<Long> during = new ArrayList<>(telemetryAt);
    assertThat(during.size()).isGreaterThanOrEqualTo((int) floodSeconds);
    long longestGapMs = 0;
    long prev = floodStart;
    for (long t : during) {
      longestGapMs = Math.max(longestGapMs, (t - prev) / 1_000_000);
      prev = t;
    }
    longestGapMs = Math.max(longestGapMs, (floodEnd - prev) / 1_000_000);
    assertThat(longestGapMs).as("longest telemetry silence during the flood").isLessThan(3_000);

    // One connection all along: the relay never cut the agent off.
    @SuppressWarnings("unchecked")
    Map<String, Object> link = (Map<String, Object>) agent.status().get("link");
    assertThat(link.get("connects")).isEqualTo(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> commands = (Map<String, Object>) agent.status().get("commands");
    assertThat((Long) commands.get("refusedUnanswered"))
        .isGreaterThanOrEqualTo(3L * JUNK_PER_PEER - 3 * allowedPerPeer - JUNK_PER_PEER / 2);
  }

  private static String resultWord(JsonObject o) {
    String status = o.get("status").getAsString();
    return o.has("error")
        ? status + "/" + o.getAsJsonObject("error").get("code").getAsString()
        : status;
  }
}
