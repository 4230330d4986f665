package io.outpost.devtools;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code outpost demo} and {@code outpost relay} through the real CLI entry point. */
@Timeout(60)
class DemoCommandTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void devtoolsOnTheClasspathProvideDemoAndRelay() {
    assertThat(run("demo", "--help").out())
        .startsWith("Usage: outpost demo")
        .contains("--duration D");
    assertThat(run("relay", "--help").code()).isZero();
    assertThat(run("demo", "--duration", "soon").err())
        .startsWith("outpost demo: --duration \"soon\" is not a duration");
  }

  @Test
  void demoRunsNonInteractivelyAndShowsTelemetryAndACommandResult() {
    Result r = run("demo", "--duration", "8s", "--port", "0", "--devices", "2");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("(profile simulated-camera)")
        .contains("curl -s -X POST 'http://127.0.0.1:")
        .contains("/v1/channels/fleets%2Fdemo%2Fcommands/publish'")
        .contains("Authorization: Bearer sk_id_")
        .containsPattern("demo-1 #\\d+ telemetry env/temperature=")
        .containsPattern("demo-2 #\\d+ command.result demo-ping-\\d+ ping -> succeeded")
        .endsWith("demo stopped\n");
  }

  @Test
  void demoWithMqttCarriesAMosquittoPubReadingToTheNetworkAndAFleetCommandToMosquittoSub() {
    Result r = run("demo", "--duration", "9s", "--port", "0", "--devices", "2", "--mqtt");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern(
            "mqtt: +Mosquitto on tcp://127\\.0\\.0\\.1:\\d+, bridged by demo-1 \\(connected\\)")
        .contains("mqtt -> sensors/greenhouse/temperature 21.5")
        // the reading, on the network as the bridge's mqtt.message event of demo-1
        .containsPattern("demo-1 #\\d+ mqtt.message sensors/greenhouse/temperature 21.5")
        // the fleet command, at the local MQTT client
        .contains("mqtt <- cmnd/valve {\"open\":true}")
        .containsPattern("demo-1 #\\d+ command.result demo-valve-\\d+ mqtt.valve -> succeeded")
        .endsWith("demo stopped\n");
  }

  @Test
  void cameraMessagesAreShownWithoutTheirBytes() {
    String motion =
        line(
            "{\"type\": \"camera.motion\", \"seq\": 7, \"camera\": \"cam\", \"area\": 0.03,"
                + " \"attachment\": {\"contentType\": \"image/jpeg\", \"size\": 1547,"
                + " \"sha256\": \"ab\", \"data\": \"/9j/4AAQ\"}}");
    assertThat(motion)
        .contains("demo-1 #7 camera.motion {\"camera\":\"cam\",\"area\":0.03,")
        .contains("\"size\":1547")
        .doesNotContain("/9j/");
    String chunk =
        line(
            "{\"type\": \"attachment.chunk\", \"attachmentId\": \"c1/snapshot\", \"index\": 0,"
                + " \"count\": 3, \"data\": \"/9j/4AAQ\"}");
    assertThat(chunk).endsWith("attachment.chunk c1/snapshot 1/3");
  }

  @Test
  void messagesReplayedAfterAnOutageAreShownOneByOne() {
    var lines =
        DemoCommand.Viewer.lines(
            "devices/demo-1/events",
            com.google.gson.JsonParser.parseString(
                "{\"type\": \"replay\", \"device\": \"demo-1\", \"stream\": \"s\", \"messages\": ["
                    + "{\"type\": \"telemetry\", \"seq\": 4, \"records\": [{\"n\": \"env/t\", \"v\": 1}]},"
                    + "{\"type\": \"buffer.dropped\", \"seq\": 5}]}"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("demo-1 #4 telemetry env/t=1").endsWith(" (replayed)");
    assertThat(lines.get(1)).contains("demo-1 #5 buffer.dropped");
  }

  /** How the demo's viewer shows {@code json} arriving on demo-1's events channel. */
  private static String line(String json) {
    return DemoCommand.Viewer.line(
        "devices/demo-1/events", com.google.gson.JsonParser.parseString(json));
  }
}
