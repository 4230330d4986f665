package io.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.status.Health;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost run} as systemd runs it: stop by SIGTERM, restart on request, health from outside.
 */
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
    Closeables.closeAll(agent, backend, relay);
  }

  private Path status() {
    return dir.resolve("status.json");
  }

  private void startAgent() throws Exception {
    relay = RelayFixture.started();
    backend = new EventsRecorder(relay, "backend");
    // A simulated greenhouse: sensors on fake buses and a pump relay (gpio-out) on a fake pin.
    Map<String, Object> cfg =
        TestConfigs.againstRelay(dir, "pi-run", relay.network("1h"), "greenhouse-sim");
    cfg.put("log", Map.of("file", dir.resolve("agent.log").toString()));
    agent = new AgentProcess(TestConfigs.writeConfig(dir, cfg), dir.resolve("process.log")).start();
    // The agent subscribes before it publishes its first status, on the same connection: once the
    // status arrived, commands reach it.
    backend.awaitMessage(o -> "status".equals(o.get("type").getAsString()), Duration.ofSeconds(30));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Health.check(status(), Instant.now()).healthy());
  }

  @Test
  void sigtermStopsCleanlyPutsOutputsInTheirSafeStateAndMarksTheStatusFileStopped()
      throws Exception {
    startAgent();
    relay.publish(
        "devices/pi-run/commands",
        "{\"type\": \"command\", \"id\": \"pump-on\", \"name\": \"output.set\", \"args\": {\"output\": \"pump\", \"value\": true}}");
    JsonObject on =
        backend.awaitMessage(
            o -> "command.result".equals(o.get("type").getAsString()), Duration.ofSeconds(20));
    assertThat(on.get("status").getAsString()).as(on.toString()).isEqualTo("succeeded");
    AgentProcess.awaitStatus(
        status(),
        st -> st.getAsJsonObject("outputs").get("pump").getAsBoolean(),
        Duration.ofSeconds(20));

    int code = agent.terminate();
    assertThat(code).as("JVM exit status after SIGTERM with a clean shutdown").isEqualTo(143);
    JsonObject s = AgentProcess.status(status());
    assertThat(s.get("state").getAsString()).isEqualTo("stopped");
    assertThat(s.getAsJsonObject("outputs").get("pump").isJsonNull())
        .as("the pump is released: %s", s)
        .isTrue();
    String log = Files.readString(dir.resolve("agent.log"));
    assertThat(log)
        .contains("stop signal received")
        .contains("outpost agent stopped")
        .contains("output pump stopped in its safe state (off)")
        // Simulated hardware only: Pi4J is never started, so it never probes the board.
        .doesNotContain("Pi4J");
    assertThat(log.indexOf("output pump stopped in its safe state"))
        .isLessThan(log.indexOf("outpost agent stopped"));
    Health.Verdict v = Health.check(status(), Instant.now());
    assertThat(v.problems()).anyMatch(p -> p.startsWith("the agent stopped at "));
  }

  @Test
  void agentRestartCommandExitsWith75AfterTheResultLeft() throws Exception {
    startAgent();
    relay.publish(
        "devices/pi-run/commands",
        "{\"type\": \"command\", \"id\": \"r-1\", \"name\": \"agent.restart\"}");
    JsonObject result =
        backend.awaitMessage(
            o -> "command.result".equals(o.get("type").getAsString()), Duration.ofSeconds(20));
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
