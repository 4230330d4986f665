package io.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import io.outpost.agent.status.Health;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost run} as systemd runs it: stop by SIGTERM, restart on request, health from outside. */
@Timeout(60)
class RunProcessTest {
  @TempDir Path dir;
  private RelayFixture relay;
  private EventsRecorder backend;
  private AgentProcess agent;

  @AfterEach
  void tearDown() throws Exception {
    Path log = dir.resolve("agent.log");
    if (Files.exists(log)) {
      // Kept in the test report: what the agent said, for when an assertion above failed.
      System.out.println(Files.readString(log));
    }
    if (agent != null) {
      agent.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  private Path status() {
    return dir.resolve("status.json");
  }

  private void startAgent() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("device", Map.of("id", "pi-run", "fleet", "lab"));
    cfg.put("network", relay.network("1h"));
    cfg.put("profile", "simulated");
    cfg.put("stateDir", dir.resolve("state").toString());
    cfg.put("status", Map.of("file", status().toString(), "fileInterval", "200ms"));
    cfg.put("log", Map.of("file", dir.resolve("agent.log").toString()));
    Path config = TestConfigs.write(dir, "agent.json", Json.PRETTY.toJson(Json.toJson(cfg)));
    agent = new AgentProcess(config, dir.resolve("process.log")).start();
    // The agent subscribes before it publishes its first status, on the same connection: once the
    // status arrived, commands reach it.
    backend.awaitMessage(o -> "status".equals(o.get("type").getAsString()), Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(20)).until(() -> Health.check(status(), Instant.now()).healthy());
  }

  @Test
  void sigtermStopsCleanlyAndMarksTheStatusFileStopped() throws Exception {
    startAgent();
    int code = agent.terminate();
    assertThat(code).as("JVM exit status after SIGTERM with a clean shutdown").isEqualTo(143);
    JsonObject s = AgentProcess.status(status());
    assertThat(s.get("state").getAsString()).isEqualTo("stopped");
    assertThat(Files.readString(dir.resolve("agent.log"))).contains("stop signal received").contains("outpost agent stopped");
    Health.Verdict v = Health.check(status(), Instant.now());
    assertThat(v.problems()).anyMatch(p -> p.startsWith("the agent stopped at "));
  }

  @Test
  void agentRestartCommandExitsWith75AfterTheResultLeft() throws Exception {
    startAgent();
    relay.publish("devices/pi-run/commands", "{\"type\": \"command\", \"id\": \"r-1\", \"name\": \"agent.restart\"}");
    JsonObject result = backend.awaitMessage(o -> "command.result".equals(o.get("type").getAsString()), Duration.ofSeconds(20));
    assertThat(result.get("status").getAsString()).isEqualTo("succeeded");
    assertThat(result.getAsJsonObject("result").get("exitCode").getAsInt()).isEqualTo(75);
    assertThat(agent.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(agent.process().exitValue()).isEqualTo(75);
  }

  @Test
  void afterSigkillHealthReportsTheDeadProcess() throws Exception {
    startAgent();
    long pid = agent.process().pid();
    agent.kill();
    Health.Verdict v = Health.check(status(), Instant.now());
    assertThat(v.healthy()).isFalse();
    assertThat(v.problems()).contains("process " + pid + " that wrote the status file is gone");
  }
}
