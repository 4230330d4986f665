package io.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.agent.TestConfigs;
import io.outpost.plugin.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private static List<String> messages(ConfigInvalidException e) {
    return e.problems().stream().map(ConfigException::getMessage).toList();
  }

  @Test
  void shippedDefaultConfigIsValid() throws Exception {
    Path shipped = Path.of(getClass().getResource("/config/agent.json").toURI());
    AgentConfig c =
        TestConfigs.loader(Map.of("STATE_DIRECTORY", "/var/lib/outpost"))
            .load(
                TestConfigs.write(dir, "agent.json", Files.readString(shipped))
                    .resolveSibling("agent.json"),
                true);
    assertThat(c.network().token())
        .isEqualTo(new TokenSource.FromFile(Path.of("/etc/outpost/token")));
    assertThat(c.buffer().maxBytes()).isEqualTo(64_000_000L);
    assertThat(c.telemetry().batchMaxDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.profile()).isEqualTo("simulated");
  }

  @Test
  void defaultsApplyToAnAlmostEmptyFile() throws Exception {
    AgentConfig c = TestConfigs.load(dir, "{\"device\": {\"id\": \"pi-1\"}}");
    assertThat(c.deviceId()).isEqualTo("pi-1");
    assertThat(c.fleet()).isEqualTo("default");
    assertThat(c.commands().allowFrom()).containsExactly("system");
    assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/outpost"));
    assertThat(c.status().file()).isEqualTo(Path.of("/run/outpost/status.json"));
    assertThat(c.eventsChannel()).isEqualTo("devices/pi-1/events");
  }

  @Test
  void everyProblemIsReportedWithFileKeyAndExpectation() throws Exception {
    Path f =
        TestConfigs.write(
            dir,
            "agent.json",
            """
        {"device": {"id": "pi/1", "colour": "red"},
         "network": {"url": "ws://10.0.0.5", "maxInFlight": 0},
         "telemetry": {"batch": {"maxDelay": "5x"}, "deadband": "lots"},
         "buffer": {"maxBytes": "huge", "durability": "paper"},
         "bogus": 1}
        """);
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(f, false))
        .isInstanceOfSatisfying(
            ConfigInvalidException.class,
            e ->
                assertThat(messages(e))
                    .containsExactlyInAnyOrder(
                        f + ": device.colour: unknown key (expected one of [id, fleet, metadata])",
                        f
                            + ": bogus: unknown key (expected one of [device, network, profile, sensors, stateDir, telemetry, commands, buffer, status, log, plugins, bridge])",
                        f
                            + ": device.id: \"pi/1\" is not usable in channel names (1..128 printable ASCII characters, no '/', '*' or '\\')",
                        f
                            + ": network.url: \"ws://10.0.0.5\" sends the token in clear; use wss:// (ws:// is allowed only to loopback)",
                        f + ": network.maxInFlight: 0 out of range, expected 1..256",
                        f
                            + ": telemetry.batch.maxDelay: \"5x\" is not a duration (expected e.g. \"10s\")",
                        f
                            + ": telemetry.deadband: \"lots\" is not a deadband (expected a number >= 0 such as 0.5, or a percentage such as \"2%\")",
                        f + ": buffer.maxBytes: \"huge\" is not a size (expected e.g. \"64MB\")",
                        f + ": buffer.durability: \"paper\" is not one of [durable, memory]"));
  }

  @Test
  void dropInsMergeInNameOrderAndErrorsNameTheirFile() throws Exception {
    Path main =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"pi-1\", \"fleet\": \"a\"}, \"buffer\": {\"maxBytes\": \"1MB\"}}");
    TestConfigs.write(dir, "agent.d/20-fleet.json", "{\"device\": {\"fleet\": \"c\"}}");
    TestConfigs.write(
        dir,
        "agent.d/10-fleet.json",
        "{\"device\": {\"fleet\": \"b\"}, \"buffer\": {\"maxAge\": \"1d\"}}");
    AgentConfig c = TestConfigs.loader(Map.of()).load(main, false);
    assertThat(c.fleet()).isEqualTo("c");
    assertThat(c.deviceId()).isEqualTo("pi-1");
    assertThat(c.buffer().maxBytes()).isEqualTo(1_000_000);
    assertThat(c.buffer().maxAge()).isEqualTo(Duration.ofDays(1));

    Path bad = TestConfigs.write(dir, "agent.d/30-bad.json", "{\"buffer\": {\"maxAge\": 5}}");
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(main, false))
        .hasMessage(
            bad
                + ": buffer.maxAge: expected a duration such as \"500ms\", \"10s\" or \"5m\", got 5");
  }

  @Test
  void environmentVariablesOverrideFilesIncludingCamelCaseKeys() throws Exception {
    Path main = TestConfigs.write(dir, "agent.json", "{\"device\": {\"id\": \"pi-1\"}}");
    AgentConfig c =
        TestConfigs.loader(
                Map.of(
                    "OUTPOST_DEVICE_ID", "pi-9",
                    "OUTPOST_BUFFER_MAX_BYTES", "2MB",
                    "OUTPOST_TELEMETRY_BATCH_MAX_RECORDS", "50",
                    "OUTPOST_COMMANDS_ALLOW_FROM", "[\"system\", \"ops-*\"]",
                    "OUTPOST_NETWORK_TOKEN", "{\"value\": \"jwt\"}",
                    "OUTPOST_JAVA_OPTS", "-Xmx40m"))
            .load(main, true);
    assertThat(c.deviceId()).isEqualTo("pi-9");
    assertThat(c.buffer().maxBytes()).isEqualTo(2_000_000);
    assertThat(c.telemetry().batchMaxRecords()).isEqualTo(50);
    assertThat(c.commands().allowFrom()).containsExactly("system", "ops-*");
    assertThat(c.network().token()).isEqualTo(new TokenSource.Fixed("jwt"));
    assertThat(c.originOf("device.id")).isEqualTo("environment variable OUTPOST_DEVICE_ID");
    assertThat(ConfigSchema.key("telemetry.batch.maxRecords").orElseThrow().envName())
        .isEqualTo("OUTPOST_TELEMETRY_BATCH_MAX_RECORDS");
  }

  @Test
  void unknownOrMalformedEnvironmentVariablesAreProblems() throws Exception {
    Path main = TestConfigs.write(dir, "agent.json", "{\"device\": {\"id\": \"pi-1\"}}");
    assertThatThrownBy(
            () ->
                TestConfigs.loader(
                        Map.of(
                            "OUTPOST_DEVISE_ID",
                            "x",
                            "OUTPOST_BUFFER_MAX_BYTES",
                            "lots",
                            "OUTPOST_COMMANDS_ENABLED",
                            "yes please"))
                    .load(main, false))
        .isInstanceOfSatisfying(
            ConfigInvalidException.class,
            e ->
                assertThat(messages(e))
                    .containsExactlyInAnyOrder(
                        "environment variable OUTPOST_COMMANDS_ENABLED: commands.enabled: \"yes please\" is not valid JSON for this boolean key",
                        "environment variable OUTPOST_DEVISE_ID: no such setting (each key has one, e.g. OUTPOST_DEVICE_ID for device.id; see docs/configuration.md)"));
  }

  @Test
  void missingFileAndInvalidJsonAreReportedNotThrown() {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(missing, false))
        .hasMessage(missing + ": no such file (give another with --config FILE)");
    Path broken = TestConfigs.write(dir, "agent.json", "{\"device\": {\"id\": \"pi-1\",}}");
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(broken, false))
        .hasMessageStartingWith(broken + ": not valid JSON: ");
  }

  @Test
  void tokenSourcesAreParsedAndCheckedForExactlyOneForm() throws Exception {
    assertThat(
            TestConfigs.load(
                    dir, "{\"network\": {\"token\": {\"command\": [\"/bin/echo\", \"t\"]}}}")
                .network()
                .token())
        .isEqualTo(new TokenSource.FromCommand(List.of("/bin/echo", "t"), Duration.ofSeconds(10)));
    assertThat(
            TestConfigs.load(dir, "{\"network\": {\"token\": {\"key\": \"pk_live_1\"}}}")
                .network()
                .token())
        .isEqualTo(new TokenSource.PublishableKey("pk_live_1"));
    TokenSource url =
        TestConfigs.load(
                dir,
                "{\"network\": {\"token\": {\"url\": \"http://127.0.0.1:8787/v1/tokens\", \"bearer\": {\"file\": \"sk\"}, \"ttl\": \"10m\"}}}")
            .network()
            .token();
    assertThat(url)
        .isEqualTo(
            new TokenSource.FromUrl(
                java.net.URI.create("http://127.0.0.1:8787/v1/tokens"),
                new TokenSource.FromFile(dir.resolve("sk")),
                Duration.ofMinutes(10)));

    Path f = dir.resolve("agent.json");
    assertThatThrownBy(
            () ->
                TestConfigs.load(
                    dir, "{\"network\": {\"token\": {\"file\": \"a\", \"value\": \"b\"}}}"))
        .hasMessage(
            f
                + ": network.token: expected exactly one of \"file\", \"command\", \"url\", \"value\", \"key\", got 2");
    assertThatThrownBy(
            () -> TestConfigs.load(dir, "{\"network\": {\"token\": {\"key\": \"sk_oops\"}}}"))
        .hasMessage(f + ": network.token: key: expected a publishable key starting with \"pk_\"");
    assertThatThrownBy(() -> TestConfigs.load(dir, "{\"network\": {\"token\": \"eyJhbGciOi\"}}"))
        .hasMessage(
            f
                + ": network.token: expected an object such as {\"file\": \"/etc/outpost/token\"}, got \"<redacted>\"");
    assertThatThrownBy(
            () ->
                TestConfigs.loader(Map.of()).load(TestConfigs.write(dir, "agent.json", "{}"), true))
        .hasMessageContaining("network.token: missing, expected one of");
  }

  @Test
  void commandKeysAreValidated() throws Exception {
    String secret = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    AgentConfig c =
        TestConfigs.load(
            dir,
            "{\"commands\": {\"requireSignature\": true, \"keys\": {\"ops\": {\"alg\": \"HS256\", \"secret\": \""
                + secret
                + "\"}}}}");
    assertThat(c.commands().keys()).containsKey("ops");
    Path f = dir.resolve("agent.json");
    assertThatThrownBy(
            () ->
                TestConfigs.load(
                    dir,
                    "{\"commands\": {\"keys\": {\"ops\": {\"alg\": \"RS256\", \"secret\": \"x\"}}}}"))
        .hasMessage(f + ": commands.keys.ops.alg: \"RS256\" is not one of [HS256, EdDSA]");
    assertThatThrownBy(
            () ->
                TestConfigs.load(
                    dir,
                    "{\"commands\": {\"keys\": {\"ops\": {\"alg\": \"HS256\", \"secret\": \"c2hvcnQ=\"}}}}"))
        .hasMessage(f + ": commands.keys.ops.secret: too short: 5 bytes, expected at least 32");
    assertThatThrownBy(() -> TestConfigs.load(dir, "{\"commands\": {\"requireSignature\": true}}"))
        .hasMessage(
            f
                + ": commands.requireSignature: is true but commands.keys is empty: no command could ever be accepted");
  }

  @Test
  void autoDeviceIdComesFromTheDeviceTreeThenMachineId() throws Exception {
    Path root = dir.resolve("root");
    TestConfigs.write(root, "etc/machine-id", "abc123\n");
    assertThat(new DeviceIdentity(root).resolve()).isEqualTo("abc123");
    TestConfigs.write(root, "proc/device-tree/serial-number", "10000000deadbeef\0");
    assertThat(new DeviceIdentity(root).resolve()).isEqualTo("10000000deadbeef");
    assertThatThrownBy(() -> new DeviceIdentity(dir.resolve("empty")).resolve())
        .hasMessageContaining("/etc/machine-id");
    assertThatThrownBy(
            () ->
                new ConfigLoader(Map.of(), new DeviceIdentity(dir.resolve("empty")))
                    .load(TestConfigs.write(dir, "agent.json", "{}"), false))
        .hasMessageContaining("device.id: \"auto\" found no identity: ");
  }

  @Test
  void redactionMasksEveryInlineSecret() throws Exception {
    AgentConfig c =
        TestConfigs.load(
            dir,
            """
        {"device": {"id": "pi-1"},
         "network": {"token": {"url": "http://127.0.0.1:1/v1/tokens", "bearer": {"value": "sk_id_x:sk_secret_y"}}},
         "commands": {"keys": {"ops": {"alg": "HS256", "secret": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}}
        """);
    String shown = Redactor.redact(c.resolved()).toString();
    assertThat(shown)
        .doesNotContain("sk_secret_y")
        .doesNotContain("AAAAAAAA")
        .contains(Redactor.MASK)
        .contains("http://127.0.0.1:1/v1/tokens");
  }

  @Test
  void relativePathsResolveAgainstTheConfigDirectory() throws Exception {
    AgentConfig c =
        TestConfigs.load(
            dir,
            "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\", \"status\": {\"file\": \"run/status.json\"}}");
    assertThat(c.stateDir()).isEqualTo(dir.resolve("state"));
    assertThat(c.status().file()).isEqualTo(dir.resolve("run/status.json"));
  }

  @Test
  void theRealtimeClientsConfigurationIsBuiltByTheLoaderWithTheClientsOwnLoopbackRule()
      throws Exception {
    AgentConfig c =
        TestConfigs.load(
            dir,
            "{\"network\": {\"url\": \"ws://127.0.0.1:8787\", \"token\": {\"value\": \"jwt\"}, \"ackTimeout\": \"3s\"}}");
    assertThat(c.network().client().url()).isEqualTo(java.net.URI.create("ws://127.0.0.1:8787"));
    assertThat(c.network().client().credentials()).isNotNull();
    assertThat(
            TestConfigs.load(dir, "{\"network\": {\"url\": \"ws://[::1]:8787\"}}")
                .network()
                .client()
                .url())
        .isEqualTo(java.net.URI.create("ws://[::1]:8787"));

    // A DNS name that merely starts with "127." is not loopback for the client, so not for check.
    Path f = dir.resolve("agent.json");
    assertThatThrownBy(
            () -> TestConfigs.load(dir, "{\"network\": {\"url\": \"ws://127.example.com:8787\"}}"))
        .hasMessage(
            f
                + ": network.url: \"ws://127.example.com:8787\" sends the token in clear; use wss:// (ws:// is allowed only to loopback)");
  }

  @Test
  void whatOnlyTheRealtimeClientRejectsIsReportedAtTheKeyItCameFrom() {
    Path f = dir.resolve("agent.json");
    assertThatThrownBy(
            () -> TestConfigs.load(dir, "{\"network\": {\"url\": \"wss://relay.example?x=1\"}}"))
        .hasMessage(
            f
                + ": network.url: rejected by the realtime client: url: must not have a query or fragment (credentials go in credentials())");
  }

  @Test
  void signingKeysAreDecodedOnceAndAnUnusableKeyIsReportedAtItsKey() throws Exception {
    String secret = java.util.Base64.getEncoder().encodeToString(new byte[40]);
    AgentConfig c =
        TestConfigs.load(
            dir,
            "{\"commands\": {\"keys\": {\"ops\": {\"alg\": \"HS256\", \"secret\": \""
                + secret
                + "\"}}}}");
    assertThat(c.commands().signing().get("ops"))
        .get()
        .isInstanceOfSatisfying(SigningKeys.Hmac.class, k -> assertThat(k.secret()).hasSize(40));

    // 44 bytes that are not an X.509 Ed25519 key: once accepted by check, then fatal in run.
    String bogus = java.util.Base64.getEncoder().encodeToString(new byte[44]);
    Path f = dir.resolve("agent.json");
    assertThatThrownBy(
            () ->
                TestConfigs.load(
                    dir,
                    "{\"commands\": {\"keys\": {\"ed\": {\"alg\": \"EdDSA\", \"publicKey\": \""
                        + bogus
                        + "\"}}}}"))
        .hasMessageStartingWith(
            f + ": commands.keys.ed.publicKey: is not a usable Ed25519 public key: ");
  }

  @Test
  void syntaxErrorsSayWhereWithoutLibraryHints() {
    Path f = TestConfigs.write(dir, "agent.json", "{\"device\": {\"id\": \"pi-1\"}}\ngarbage");
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(f, false))
        .hasMessage(
            f + ": not valid JSON: line 2, column 1: unexpected \"garbage\" after the JSON value");
    TestConfigs.write(dir, "agent.json", "{\"device\": {'id': \"pi-1\"}}");
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(f, false))
        .hasMessage(
            f
                + ": not valid JSON: line 1, column 13: single quotes are not JSON; put keys in double quotes")
        .hasMessageNotContaining("setStrictness");
  }

  @Test
  void duplicateKeysInAFileAreErrors() {
    Path f =
        TestConfigs.write(
            dir, "agent.json", "{\"buffer\": {\"maxBytes\": \"1MB\",\n \"maxBytes\": \"2MB\"}}");
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(f, false))
        .hasMessage(
            f
                + ": not valid JSON: line 2, column 2: duplicate key \"maxBytes\" (first at line 1); each key may appear once per object");
  }

  @Test
  void binaryAndNonUtf8FilesGetAClearMessage() throws Exception {
    Path png = dir.resolve("agent.json");
    Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0});
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(png, false))
        .hasMessage(png + ": is not a text file (contains a NUL byte at offset 8)");
    Files.write(
        png,
        "{\"device\": {\"id\": \"caf\u00e9\"}}"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(png, false))
        .hasMessage(png + ": is not UTF-8 text (byte 0xE9 at offset 22); save it as UTF-8");
  }

  @Test
  void anEmptyEntryInACommandListIsRejected() throws Exception {
    Path main = TestConfigs.write(dir, "agent.json", "{\"device\": {\"id\": \"pi-1\"}}");
    assertThatThrownBy(
            () ->
                TestConfigs.loader(Map.of("OUTPOST_COMMANDS_ALLOW", "ping,,status"))
                    .load(main, false))
        .hasMessage(
            "environment variable OUTPOST_COMMANDS_ALLOW: commands.allow[1]: is empty, expected a non-empty string");
    assertThatThrownBy(
            () -> TestConfigs.loader(Map.of("OUTPOST_COMMANDS_ALLOW", "ping,")).load(main, false))
        .hasMessageContaining("commands.allow[1]: is empty");
    assertThat(
            TestConfigs.loader(Map.of("OUTPOST_COMMANDS_ALLOW", "ping,status"))
                .load(main, false)
                .commands()
                .allow())
        .containsExactly("ping", "status");
    assertThatThrownBy(
            () -> TestConfigs.load(dir, "{\"commands\": {\"allowFrom\": [\"system\", \" \"]}}"))
        .hasMessage(main + ": commands.allowFrom[1]: is empty, expected a non-empty string");
  }

  @Test
  void oneBrokenDropInHidesNoProblemOfTheOtherFiles() throws Exception {
    Path main =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"pi-1\"}, \"buffer\": {\"maxAge\": \"7x\"}}");
    Path broken = TestConfigs.write(dir, "agent.d/10-broken.json", "{\"buffer\": {\"maxBytes\": }");
    Path other = TestConfigs.write(dir, "agent.d/20-other.json", "{\"commands\": {\"queue\": -1}}");
    Path binary = dir.resolve("agent.d/30-binary.json");
    Files.write(binary, new byte[] {'{', 0, '}'});
    assertThatThrownBy(() -> TestConfigs.loader(Map.of()).load(main, false))
        .isInstanceOfSatisfying(
            ConfigInvalidException.class,
            e ->
                assertThat(messages(e))
                    .containsExactlyInAnyOrder(
                        broken
                            + ": not valid JSON: line 1, column 25: unexpected '}', expected a value",
                        binary + ": is not a text file (contains a NUL byte at offset 1)",
                        main + ": buffer.maxAge: \"7x\" is not a duration (expected e.g. \"10s\")",
                        other + ": commands.queue: -1 out of range, expected 0..10000"));
  }
}
