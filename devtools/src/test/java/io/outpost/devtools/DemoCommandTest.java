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
        .contains("curl -s -X POST 'http://127.0.0.1:")
        .contains("/v1/channels/fleets%2Fdemo%2Fcommands/publish'")
        .contains("Authorization: Bearer sk_id_")
        .containsPattern("demo-1 #\\d+ telemetry env/temperature=")
        .containsPattern("demo-2 #\\d+ command.result demo-ping-\\d+ ping -> succeeded")
        .endsWith("demo stopped\n");
  }
}
