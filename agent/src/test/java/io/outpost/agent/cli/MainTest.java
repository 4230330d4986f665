package io.outpost.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.TestConfigs;
import io.outpost.agent.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class MainTest {
  @TempDir Path dir;

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
  void helpListsEveryCommandAndEveryCommandHasHelp() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    for (String c :
        List.of("run", "demo", "check", "sample", "profiles", "health", "relay", "version")) {
      assertThat(r.out()).contains("  " + c + " ");
      if (!c.equals("relay")) {
        Result h = run(c, "--help");
        assertThat(h.code()).as(c + " --help").isZero();
        assertThat(h.out()).startsWith("Usage: outpost " + c);
      }
    }
    assertThat(run("check", "--help").out()).contains("--config FILE");
    assertThat(run("sample", "--help").out()).contains("--profile NAME").contains("--count N");
  }

  @Test
  void usageErrorsExitWith2AndNoStackTrace() {
    Result none = run();
    assertThat(none.code()).isEqualTo(2);
    Result unknown = run("frobnicate");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo(
            "outpost: unknown command \"frobnicate\" (commands: run, demo, check, sample, profiles, health, attachment, relay, version)\n");
    Result badOption = run("check", "--konfig", "x");
    assertThat(badOption.code()).isEqualTo(2);
    assertThat(badOption.err())
        .isEqualTo("outpost check: unknown option --konfig\nTry: outpost check --help\n");
    Result missingValue = run("sample", "--count");
    assertThat(missingValue.err()).startsWith("outpost sample: --count needs a value");
    assertThat(run("sample", "--count", "0").err())
        .startsWith("outpost sample: --count must be at least 1, got 0");
    assertThat(run("sample", "--profile", "simulated", "--config", "x").code()).isEqualTo(2);
  }

  @Test
  void checkPrintsEveryProblemAndExits2() {
    Path cfg =
        TestConfigs.write(
            dir,
            "agent.json",
            """
        {"device": {"id": "pi-1"}, "network": {"url": "http://example.com", "token": {"value": "t"}},
         "buffer": {"maxAge": "forever"}, "sensors": {"nosuch": {"interval": "1s"}}}
        """);
    Result r = run("check", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains(
            cfg
                + ": network.url: \"http://example.com\" must be a ws:// or wss:// origin such as \"wss://rms.metered.ca\"\n")
        .contains(cfg + ": buffer.maxAge: \"forever\" is not a duration (expected e.g. \"10s\")\n")
        .endsWith("2 problems.\n")
        .doesNotContain("\tat ");
  }

  @Test
  void checkReportsProfileAndSensorProblemsTooWithTheirLocation() {
    Path profile =
        TestConfigs.profile(
            dir,
            "[{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"5x\"},"
                + " {\"name\": \"w\", \"type\": \"sim.warp\", \"interval\": \"1s\"},"
                + " {\"name\": \"s\", \"type\": \"sim.sine\", \"interval\": \"1s\", \"colour\": \"red\"}]");
    Path cfg =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"pi-1\"}, \"network\": {\"token\": {\"value\": \"t\"}},"
                + " \"profile\": \""
                + profile
                + "\", \"sensors\": {\"ghost\": {\"interval\": \"1s\"}}}");
    Result r = run("check", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "test-profile.json: sensors[0] (\"ctr\", sim.counter): interval: \"5x\" is not a duration (expected e.g. \"10s\")")
        .contains(
            "test-profile.json: sensors[1] (\"w\", sim.warp): type: unknown sensor type \"sim.warp\" (known: [")
        .contains(
            "test-profile.json: sensors[2] (\"s\", sim.sine): colour: unknown key (expected one of [amplitude, offset, period, quantity, unit])")
        .contains(cfg + ": sensors.ghost: no sensor named \"ghost\" in profile test")
        .endsWith("4 problems.\n");
  }

  @Test
  void checkPrintsTheResolvedConfigWithSecretsRedacted() {
    Path cfg =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"pi-1\"}, \"network\": {\"token\": {\"value\": \"eyJ-very-secret\"}}, \"stateDir\": \"state\"}");
    Result r = run("check", "--config", cfg.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .doesNotContain("eyJ-very-secret")
        .contains("<redacted>")
        .contains(dir.resolve("state").toString());
    assertThat(
            Json.parse(r.out())
                .getAsJsonObject()
                .getAsJsonObject("_resolved")
                .get("device.id")
                .getAsString())
        .isEqualTo("pi-1");
    assertThat(r.err()).isEqualTo("configuration is valid\n");
  }

  @Test
  void samplePrintsSenmlRecordsOnePerLine() {
    Path profile =
        TestConfigs.profile(
            dir,
            "[{\"name\": \"ctr\", \"type\": \"sim.counter\", \"interval\": \"10ms\"},"
                + " {\"name\": \"env\", \"type\": \"sim.sine\", \"interval\": \"10ms\", \"quantity\": \"temperature\", \"unit\": \"Cel\"}]");
    Result r = run("sample", "--profile", profile.toString(), "--count", "3");
    assertThat(r.code()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines)
        .filteredOn(l -> l.contains("ctr/count"))
        .extracting(l -> Json.parse(l).getAsJsonObject().get("v").getAsInt())
        .containsExactly(1, 2, 3);
    assertThat(Json.parse(lines.get(1)).getAsJsonObject().get("u").getAsString()).isEqualTo("Cel");
    assertThat(lines.get(0)).matches("\\{\"n\":\"ctr/count\",\"v\":1,\"t\":\\d{10}(\\.\\d{1,3})?}");
  }

  @Test
  void sampleWithTheBundledDefaultProfileWorksWithoutHardware() {
    Result r = run("sample", "--profile", "simulated");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\"n\":\"env/temperature\"").contains("\"n\":\"ctr/count\"");
    Result unknown = run("sample", "--profile", "nosuch");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("profile: \"nosuch\" is neither a bundled profile [")
        .contains("simulated");
  }

  @Test
  void profilesListsTheBundledProfilesWithDescriptions() {
    Result r = run("profiles");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .containsPattern("(?m)^simulated +Simulated sensors only")
        .containsPattern("(?m)^simulated-camera +The simulated sensors plus a simulated .*camera");
  }

  @Test
  void healthWithoutARunningAgentSaysWhy() {
    Path cfg =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"pi-1\"}, \"status\": {\"file\": \"status.json\"}}");
    Result r = run("health", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .isEqualTo(
            "unhealthy: no status file "
                + dir.resolve("status.json")
                + ": is the agent running (outpost run)?\n");
  }

  @Test
  void runWithAnInvalidConfigExits2BeforeDoingAnything() {
    Path cfg =
        TestConfigs.write(
            dir, "agent.json", "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\"}");
    Result r = run("run", "--config", cfg.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("network.token: missing");
    assertThat(dir.resolve("state")).doesNotExist();
  }

  @Test
  void versionPrintsTheAgentVersion() {
    Result r = run("version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("outpost 0.").contains("java 17");
  }

  @Test
  void relayAndDemoAreNotOnTheDeviceClasspathAndSaySo() {
    // The agent's own classpath has no devtools jar: the commands are listed but explain.
    Result r = run("demo", "--duration", "1s");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("outpost demo: not available here: the development tools");
    assertThat(run("relay", "--help").out()).contains("lib-dev");
  }

  /** The client's rules are the loader's: what run would reject, check rejects the same way. */
  @Test
  void checkAndRunRejectAnInsecureUrlToANameThatOnlyLooksLikeLoopbackAlike() {
    Path cfg =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\","
                + " \"status\": {\"file\": \"status.json\"},"
                + " \"network\": {\"url\": \"ws://127.example.com:8787\", \"token\": {\"value\": \"jwt\"}}}");
    String expected =
        cfg
            + ": network.url: \"ws://127.example.com:8787\" sends the token in clear; use wss:// (ws:// is allowed only to loopback)\n1 problem.\n";
    Result check = run("check", "--config", cfg.toString());
    Result run = run("run", "--config", cfg.toString());
    assertThat(check.code()).isEqualTo(2);
    assertThat(run.code()).isEqualTo(2);
    assertThat(check.err()).isEqualTo(expected);
    assertThat(run.err()).isEqualTo(expected);
  }
}
