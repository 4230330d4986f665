package io.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.camera.Cameras;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.config.DeviceIdentity;
import io.outpost.agent.config.Problems;
import io.outpost.agent.internal.Json;
import io.outpost.agent.profiles.Profiles;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.profiles.SensorSetup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds real configurations from JSON text written to a temporary directory, as a device would
 * have them.
 */
public final class TestConfigs {
  private TestConfigs() {}

  /** Writes {@code json} as {@code dir/agent.json} and loads it with an empty environment. */
  public static AgentConfig load(Path dir, String json) throws ConfigInvalidException {
    return loader(Map.of()).load(write(dir, "agent.json", json), false);
  }

  /**
   * A loader whose {@code "auto"} device id is {@code test-machine} (a fixture /etc/machine-id).
   */
  public static ConfigLoader loader(Map<String, String> env) {
    try {
      Path root = Files.createTempDirectory("outpost-root-");
      write(root, "etc/machine-id", "test-machine\n");
      return new ConfigLoader(env, new DeviceIdentity(root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path write(Path dir, String name, String text) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The configuration the tests against a relay start from: device {@code deviceId} of fleet {@code
   * lab} with {@code network} (see {@link RelayFixture#network}), {@code profile} (a bundled name
   * or a file), its state directory and status file in {@code dir}, the status file written every
   * 200 ms. Mutable: a test adds or replaces sections.
   */
  public static Map<String, Object> againstRelay(
      Path dir, String deviceId, Map<String, Object> network, String profile) {
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("device", Map.of("id", deviceId, "fleet", "lab"));
    cfg.put("network", network);
    cfg.put("profile", profile);
    cfg.put("stateDir", dir.resolve("state").toString());
    cfg.put(
        "status", Map.of("file", dir.resolve("status.json").toString(), "fileInterval", "200ms"));
    return cfg;
  }

  /** Writes {@code config} as {@code dir/agent.json} for an agent process; returns its path. */
  public static Path writeConfig(Path dir, Map<String, Object> config) {
    return write(dir, "agent.json", Json.pretty(Json.toJson(config)));
  }

  /** A profile file with the given sensors JSON array, returning its path. */
  public static Path profile(Path dir, String sensorsJson) {
    return write(
        dir,
        "test-profile.json",
        "{\"name\": \"test\", \"description\": \"test\", \"sensors\": " + sensorsJson + "}");
  }

  /**
   * Creates the sensors of {@code config}'s profile with the built-in types; fails the test on any
   * problem.
   */
  public static List<SensorSetup.Configured> sensors(AgentConfig config) throws Exception {
    return sensors(config, SensorRegistry.builtIn());
  }

  /**
   * Creates the sensors of {@code config}'s profile from {@code registry}; fails the test on any
   * problem.
   */
  public static List<SensorSetup.Configured> sensors(AgentConfig config, SensorRegistry registry)
      throws Exception {
    return SensorSetup.buildAll(
        Profiles.load(config.profile(), config.configDir()), config, registry, Clock.systemUTC());
  }

  /** Creates the cameras of {@code config}'s profile; fails the test on any problem. */
  public static Cameras cameras(AgentConfig config) throws Exception {
    Profiles.Profile p = Profiles.load(config.profile(), config.configDir());
    Problems problems = new Problems();
    Cameras cameras =
        Cameras.build(p.json().get("cameras"), p.source(), Clock.systemUTC(), problems);
    assertThat(problems.all()).isEmpty();
    return cameras;
  }
}
