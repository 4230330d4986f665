package io.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes, real faults: the agent is killed with SIGKILL while a fast counter runs, the
 * relay is restarted under it, and an independent subscriber must still see every sequence number
 * of the stream (gaps only where a {@code buffer.dropped} message says so).
 */
class FaultTest {
  @TempDir Path dir;
  private RelayFixture relay;
  private EventsRecorder backend;
  private AgentProcess agent;

  @AfterEach
  void tearDown() throws Exception {
    Closeables.closeAll(agent, backend, relay);
  }

  private Path config() {
    Path profile =
        TestConfigs.profile(
            dir, "[{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"20ms\"}]");
    Map<String, Object> cfg =
        TestConfigs.againstRelay(dir, "pi-fault", relay.network("1h"), profile.toString());
    cfg.put("telemetry", Map.of("batch", Map.of("maxRecords", 10, "maxDelay", "100ms")));
    cfg.put("buffer", Map.of("commitInterval", "10ms"));
    cfg.put("log", Map.of("level", "info", "file", dir.resolve("agent.log").toString()));
    return TestConfigs.writeConfig(dir, cfg);
  }

  private void awaitBackendSubscribed() {
    java.util.concurrent.atomic.AtomicInteger probe =
        new java.util.concurrent.atomic.AtomicInteger();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              int n = probe.incrementAndGet();
              relay.publish("devices/probe/events", "{\"type\": \"probe\", \"n\": " + n + "}");
              return backend.messages().stream()
                  .anyMatch(m -> "probe".equals(m.get("type").getAsString()));
            });
  }

  private int received() {
    return backend.seqsByStream().values().stream().mapToInt(Set::size).sum();
  }

  @Test
  @Timeout(120)
  void killedRepeatedlyAndRelayRestartedTheSubscriberStillGetsEverySeq() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    Path status = dir.resolve("status.json");
    agent = new AgentProcess(config(), dir.resolve("process.log")).start();

    for (int round = 1; round <= 3; round++) {
      // Each round counts 5 messages of its own: a backlog from the round before drains first.
      AgentProcess.awaitStatus(
          status,
          s ->
              s.getAsJsonObject("link").get("connected").getAsBoolean()
                  && s.getAsJsonObject("buffer").get("messages").getAsLong() == 0,
          Duration.ofSeconds(40));
      int before = received();
      await().atMost(Duration.ofSeconds(30)).until(() -> received() >= before + 5);
      agent.kill();
      // The killed process's last status file may say "connected, nothing pending": the next round
      // must wait for the new process's own.
      Files.deleteIfExists(status);
      if (round == 2) {
        // The relay goes away too; the agent comes back to no server, buffers, and is killed again
        // while offline.
        relay.stop();
        Files.deleteIfExists(status);
        agent.start();
        AgentProcess.awaitStatus(
            status,
            s -> s.getAsJsonObject("buffer").get("messages").getAsLong() >= 10,
            Duration.ofSeconds(30));
        agent.kill();
        relay.start();
        // Pub/sub keeps nothing for absent subscribers: the backend must be subscribed again before
        // the agent replays its backlog, or the relay would ack messages nobody receives.
        awaitBackendSubscribed();
        agent.start();
      } else {
        agent.start();
      }
    }
    // Let the last incarnation drain its backlog, then stop it the way systemd does.
    await().atMost(Duration.ofSeconds(30)).until(() -> received() > 0);
    AgentProcess.awaitStatus(
        status,
        s ->
            s.getAsJsonObject("link").get("connected").getAsBoolean()
                && s.getAsJsonObject("buffer").get("messages").getAsLong() == 0,
        Duration.ofSeconds(40));
    agent.terminate();

    assertThat(backend.seqsByStream()).as("one state directory, one stream").hasSize(1);
    String stream = backend.seqsByStream().keySet().iterator().next();
    Set<Long> gaps = backend.unexplainedGaps(stream);
    assertThat(gaps).as("sequence numbers lost without a buffer.dropped").isEmpty();
    assertThat(received())
        .as("at least 5 per round plus 10 buffered offline")
        .isGreaterThanOrEqualTo(25);
    List<String> log = Files.readAllLines(dir.resolve("agent.log"));
    assertThat(log).noneMatch(l -> l.contains("Exception") && l.startsWith("\tat "));
  }
}
