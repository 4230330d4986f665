package io.outpost.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.outpost.agent.TestConfigs;
import io.outpost.agent.internal.Json;
import io.outpost.agent.plugins.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost check} finds what {@code run} would fail on, in every file, and shows plugins. */
@Timeout(60)
class CheckCommandTest {
  @TempDir Path dir;

  private MainTest.Result check(String json, String... extra) {
    Path cfg = TestConfigs.write(dir, "agent.json", json);
    String[] args = new String[extra.length + 3];
    args[0] = "check";
    args[1] = "--config";
    args[2] = cfg.toString();
    System.arraycopy(extra, 0, args, 3, extra.length);
    return MainTest.run(args);
  }

  @Test
  void aMissingTokenFileAndAStateDirThatIsAFileAreFoundBeforeRun() throws Exception {
    Files.writeString(dir.resolve("state"), "not a directory");
    MainTest.Result r =
        check(
            "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\","
                + " \"network\": {\"token\": {\"file\": \"token\"}}}");
    Path cfg = dir.resolve("agent.json");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            cfg
                + ": stateDir: \""
                + dir.resolve("state")
                + "\" is not a directory\n"
                + cfg
                + ": network.token: file \""
                + dir.resolve("token")
                + "\" does not exist\n2 problems.\n");

    Files.delete(dir.resolve("state"));
    Files.writeString(dir.resolve("token"), "jwt");
    assertThat(
            check(
                    "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\","
                        + " \"network\": {\"token\": {\"file\": \"token\"}}}")
                .code())
        .isZero();
  }

  @Test
  void offlineChecksPluginsAndProfileWithoutNetworkSettingsAndSaysSo() {
    String json = "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\"}";
    MainTest.Result online = check(json);
    assertThat(online.code()).isEqualTo(2);
    assertThat(online.err())
        .contains("network.token: missing, expected one of")
        .endsWith("1 problem.\n" + CheckCommand.OFFLINE_HINT + "\n");

    MainTest.Result offline = check(json, "--offline");
    assertThat(offline.code()).isZero();
    assertThat(offline.err())
        .isEqualTo(
            "configuration is valid (offline: network settings were not checked; run needs"
                + " network.token)\n");
  }

  @Test
  void listsThePluginDirectoriesSearchedAndTheTypesEachJarProvides() throws Exception {
    Path plugins = dir.resolve("plugins");
    Files.createDirectories(plugins);
    Path jar = PluginJars.sensorPlugin(plugins, "acme-co2.jar", "com.acme", "acme.co2", 412.0);
    Path profile =
        TestConfigs.profile(
            dir, "[{\"name\": \"co2\", \"type\": \"acme.co2\", \"interval\": \"1s\"}]");
    MainTest.Result r =
        check(
            "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\", \"profile\": \""
                + profile
                + "\", \"plugins\": {\"dirs\": [\"plugins\", \"nowhere\"]}}",
            "--offline");
    assertThat(r.code()).as(r.err()).isZero();
    JsonObject report = Json.parse(r.out()).getAsJsonObject().getAsJsonObject("_plugins");
    assertThat(report.get("searched").toString())
        .isEqualTo(
            new GsonBuilder()
                .disableHtmlEscaping()
                .create()
                .toJson(new String[] {plugins.toString(), dir.resolve("nowhere") + " (missing)"}));
    assertThat(
            report
                .getAsJsonObject("jars")
                .getAsJsonObject(jar.toString())
                .get("sensorTypes")
                .toString())
        .isEqualTo("[\"acme.co2\"]");
  }

  @Test
  void anUnknownTypeNamesThePluginDirectoriesSearched() {
    Path profile =
        TestConfigs.profile(
            dir, "[{\"name\": \"co2\", \"type\": \"acme.co2\", \"interval\": \"1s\"}]");
    MainTest.Result r =
        check(
            "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\", \"profile\": \""
                + profile
                + "\", \"plugins\": {\"dirs\": [\"plugins\"]}}",
            "--offline");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("unknown sensor type \"acme.co2\" (known: [")
        .contains("; plugin jars are searched in [" + dir.resolve("plugins") + "])");
  }

  @Test
  void oneProfileProblemDoesNotHideTheOthers() {
    Path profile =
        TestConfigs.write(
            dir,
            "bad-profile.json",
            "{\"sensors\": [{\"name\": \"a\", \"type\": \"sim.counter\", \"interval\": \"5x\"},"
                + " {\"name\": \"b\", \"type\": \"sim.sine\", \"interval\": \"1s\", \"colour\": 1}]}");
    MainTest.Result r =
        check(
            "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\", \"profile\": \""
                + profile
                + "\"}",
            "--offline");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("bad-profile.json: name: missing, expected a string")
        .contains(
            "bad-profile.json: sensors[0] (\"a\", sim.counter): interval: \"5x\" is not a duration")
        .contains("bad-profile.json: sensors[1] (\"b\", sim.sine): colour: unknown key")
        .endsWith("3 problems.\n");
  }

  @Test
  void aProfileThatIsNotStrictJsonSaysWhere() {
    Path profile = TestConfigs.write(dir, "p.json", "{\"name\": \"p\", \"sensors\": [],}");
    MainTest.Result r =
        check(
            "{\"device\": {\"id\": \"pi-1\"}, \"stateDir\": \"state\", \"profile\": \""
                + profile
                + "\"}",
            "--offline");
    assertThat(r.err())
        .isEqualTo(
            profile
                + ": not valid JSON: line 1, column 29: trailing comma before '}'\n1 problem.\n");
  }
}
