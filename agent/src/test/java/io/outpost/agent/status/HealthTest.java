package io.outpost.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthTest {
  private static final Instant NOW = Instant.parse("2026-11-23T03:00:00Z");
  @TempDir Path dir;

  /**
   * A status file as a healthy, connected agent writes it; tests then break one thing at a time.
   */
  private JsonObject healthy() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("state", "running");
    f.put("writtenAt", NOW.minusSeconds(2).toString());
    f.put("staleAfterMs", 15_000);
    f.put("pid", ProcessHandle.current().pid());
    f.put("startedAt", NOW.minusSeconds(600).toString());
    f.put(
        "sampling",
        Map.of(
            "sensors",
            2,
            "lastReadAt",
            NOW.minusSeconds(1).toString(),
            "expectedWithinMs",
            30_000));
    f.put("buffer", Map.of("writable", true, "messages", 3));
    f.put(
        "link",
        Map.of(
            "state",
            "connected",
            "connected",
            true,
            "connectedAt",
            NOW.minusSeconds(500).toString()));
    f.put("uplink", Map.of("lastAckAt", NOW.minusSeconds(3).toString()));
    f.put("ackExpectedWithinMs", 135_000);
    return Json.toJson(f).getAsJsonObject();
  }

  private Health.Verdict check(JsonObject status) throws Exception {
    Path file = dir.resolve("status.json");
    Files.writeString(file, status.toString());
    return Health.check(file, NOW);
  }

  @Test
  void aProgressingAgentIsHealthy() throws Exception {
    Health.Verdict v = check(healthy());
    assertThat(v.problems()).isEmpty();
    assertThat(v.notes()).contains("connected, last ack 3 s ago", "sampling 2 sensors");
  }

  @Test
  void knowinglyOfflineIsHealthyButAClosedLinkIsNot() throws Exception {
    JsonObject s = healthy();
    s.add("link", Json.parse("{\"state\": \"reconnecting\", \"connected\": false}"));
    assertThat(check(s).healthy()).isTrue();
    s.add("link", Json.parse("{\"state\": \"closed\", \"connected\": false}"));
    assertThat(check(s).problems()).containsExactly("the link is closed and will not reconnect");
  }

  @Test
  void withoutADeliverySinceTheStartOnlyAnAllowedKnowinglyOfflineAgentIsHealthy() throws Exception {
    JsonObject s = healthy();
    s.add("uplink", Json.parse("{\"lastAckAt\": null}"));
    s.add("link", Json.parse("{\"state\": \"reconnecting\", \"connected\": false}"));
    Path file = dir.resolve("status.json");
    Files.writeString(file, s.toString());
    assertThat(Health.check(file, NOW).problems())
        .singleElement()
        .asString()
        .startsWith("offline (reconnecting) and nothing was delivered since the start at ");
    assertThat(Health.check(file, NOW, true).notes())
        .contains("offline (reconnecting), buffering to the outbox (allowed: --allow-offline)");

    // A credential that cannot work is never "knowingly offline".
    s.addProperty("credentialProblem", "token file /var/lib/outpost/token does not exist");
    Files.writeString(file, s.toString());
    assertThat(Health.check(file, NOW, true).problems())
        .contains("the agent cannot connect: token file /var/lib/outpost/token does not exist")
        .anyMatch(p -> p.startsWith("offline (reconnecting) and nothing was delivered"));
  }

  @Test
  void connectedButNeverAckedIsNotYetHealthy() throws Exception {
    JsonObject s = healthy();
    s.add("uplink", Json.parse("{}"));
    s.add("buffer", Json.parse("{\"writable\": true, \"messages\": 0}"));
    assertThat(check(s).problems())
        .containsExactly("connected, but no publish has been acked since the start yet");
  }

  @Test
  void everyStalledPartIsNamed() throws Exception {
    JsonObject s = healthy();
    s.addProperty("writtenAt", NOW.minusSeconds(60).toString());
    s.add(
        "sampling",
        Json.parse(
            "{\"sensors\": 2, \"lastReadAt\": \""
                + NOW.minusSeconds(94)
                + "\", \"expectedWithinMs\": 30000}"));
    s.add(
        "buffer",
        Json.parse(
            "{\"writable\": false, \"messages\": 120, \"lastError\": \"writing the outbox failed: disk I/O error\"}"));
    s.add("uplink", Json.parse("{\"lastAckAt\": \"" + NOW.minusSeconds(181) + "\"}"));
    s.add("services", Json.parse("{\"bridge-mqtt\": \"failed: connection refused\"}"));
    assertThat(check(s).problems())
        .containsExactly(
            "status file is 60 s old (limit 15 s): the agent is stopped or stuck",
            "the last successful sensor read was 94 s ago (limit 30 s)",
            "the outbox is not writable: writing the outbox failed: disk I/O error",
            "plugin service bridge-mqtt is down: failed: connection refused",
            "connected, 120 messages waiting, but the last ack was 181 s ago");
  }

  @Test
  void aFileWithoutItsFieldsOrNotJsonIsReportedNotThrown() throws Exception {
    Path file = dir.resolve("status.json");
    Files.writeString(file, "{\"half\": ");
    assertThat(Health.check(file, NOW).problems())
        .singleElement()
        .asString()
        .startsWith("status file " + file + " is unreadable");
    Files.writeString(file, "{}");
    assertThat(Health.check(file, NOW).problems())
        .singleElement()
        .asString()
        .startsWith("status file " + file + " lacks expected fields");
  }
}
