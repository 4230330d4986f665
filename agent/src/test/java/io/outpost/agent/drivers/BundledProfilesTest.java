package io.outpost.agent.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.outpost.agent.hardware.Hardwares;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.TestSensorContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Every bundled device profile is valid against {@code device-profiles/profile.schema.json}, every
 * sensor in it is accepted by the real factory, every {@code -sim} variant reads on simulated
 * hardware, and every sim variant describes the same sensors as its real profile.
 */
@Timeout(60)
class BundledProfilesTest {
  private static final Path PROFILES = Path.of("../device-profiles");
  private static final Path SCHEMA = PROFILES.resolve("profile.schema.json");

  private static List<Path> profiles() throws IOException {
    try (Stream<Path> s = Files.list(PROFILES)) {
      return s.filter(p -> p.toString().endsWith(".json") && !p.equals(SCHEMA)).sorted().toList();
    }
  }

  private static Schema schema() throws IOException {
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(Files.readString(SCHEMA), com.networknt.schema.InputFormat.JSON);
  }

  /** Schema problems as "file: $.sensors[0].address: message" lines. */
  static List<String> schemaProblems(Schema schema, Path file) throws IOException {
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    List<String> out = new ArrayList<>();
    for (Error e : schema.validate(json)) {
      out.add(file.getFileName() + ": " + e.getInstanceLocation() + ": " + e.getMessage());
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyBundledProfile() throws IOException {
    Schema schema = schema();
    List<Path> files = profiles();
    assertThat(files.stream().map(p -> p.getFileName().toString()))
        .contains(
            "environment-station.json",
            "greenhouse.json",
            "door-monitor.json",
            "analog-kit.json",
            "system-only.json");
    return files.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      assertThat(schemaProblems(schema, f)).as("schema problems").isEmpty();
                      boolean sim = f.getFileName().toString().endsWith("-sim.json");
                      for (Sensor s : build(f)) {
                        try (s) {
                          if (sim) {
                            s.start();
                            List<Reading> readings = s.read();
                            assertThat(readings)
                                .as("readings of a sensor in " + f.getFileName())
                                .isNotEmpty();
                          }
                        }
                      }
                    }));
  }

  @Test
  void everySimVariantHasTheSameSensorsAsItsRealProfile() throws IOException {
    for (Path f : profiles()) {
      String name = f.getFileName().toString();
      if (!name.endsWith("-sim.json")) {
        continue;
      }
      Path real = f.resolveSibling(name.replace("-sim.json", ".json"));
      assertThat(real).as("real profile for " + name).exists();
      assertThat(sensorsWithoutSimulate(f))
          .as(name + " vs " + real.getFileName())
          .isEqualTo(sensorsWithoutSimulate(real));
      assertThat(json(f).get("wiring")).isEqualTo(json(real).get("wiring"));
    }
  }

  /**
   * The default profile ({@code simulated}, config/agent.json) is what the memory and CPU targets
   * are measured on: it holds no camera, whose Java 2D and JPEG work would cost more than all of
   * its sensors. {@code simulated-camera} is the same sensors plus the demo's camera.
   */
  @Test
  void theDefaultProfileHasNoCameraAndSimulatedCameraAddsOne() throws IOException {
    Map<String, Object> plain = json(PROFILES.resolve("simulated.json"));
    Map<String, Object> camera = json(PROFILES.resolve("simulated-camera.json"));
    assertThat(plain).doesNotContainKey("cameras");
    assertThat(camera.get("sensors")).isEqualTo(plain.get("sensors"));
    assertThat((List<?>) camera.get("cameras"))
        .singleElement()
        .satisfies(c -> assertThat(((Map<?, ?>) c).get("type")).isEqualTo("simulated"));
  }

  @Test
  void aProfileErrorNamesTheFileTheSensorAndTheField() throws IOException {
    Path broken = Path.of("src/test/resources/drivers/profiles/broken-address.json");
    assertThat(schemaProblems(schema(), broken))
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p).startsWith("broken-address.json: /sensors/1/address: "));
    assertThatThrownBy(() -> build(broken))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "broken-address.json: sensors[1] (\"env\", bme280): address: 0x99 is not an address of this part, "
                + "expected 0x76 or 0x77");
  }

  /**
   * Creates every sensor of a profile with the real factories, as the agent does (no hardware
   * touched).
   */
  @SuppressWarnings("unchecked")
  static List<Sensor> build(Path file) throws IOException, ConfigException {
    Map<String, SensorFactory> factories =
        Drivers.all().stream().collect(Collectors.toMap(SensorFactory::type, f -> f));
    List<Sensor> out = new ArrayList<>();
    List<Map<String, Object>> sensors = (List<Map<String, Object>>) json(file).get("sensors");
    for (int i = 0; i < sensors.size(); i++) {
      Map<String, Object> entry = sensors.get(i);
      String type = (String) entry.get("type");
      String where =
          file.getFileName() + ": sensors[" + i + "] (\"" + entry.get("name") + "\", " + type + ")";
      SensorFactory factory = factories.get(type);
      if (factory == null) {
        assertThat(type)
            .as(where + ": only the colleague's sim.* types are not drivers")
            .startsWith("sim.");
        continue;
      }
      Map<String, Object> options = new LinkedHashMap<>(entry);
      SensorSetup.AGENT_KEYS.forEach(options::remove);
      Options simulate =
          new Options(
              where + ": simulate", (Map<String, Object>) entry.getOrDefault("simulate", Map.of()));
      Hardware hw = Hardwares.forSensor(type, simulate, file.getParent());
      out.add(
          factory.create(
              TestSensorContext.builder((String) entry.get("name"))
                  .location(where)
                  .options(options)
                  .hardware(hw)
                  .build()));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> sensorsWithoutSimulate(Path file) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> s : (List<Map<String, Object>>) json(file).get("sensors")) {
      Map<String, Object> copy = new LinkedHashMap<>(s);
      copy.remove("simulate");
      out.add(copy);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Path file) throws IOException {
    return normalize(new Gson().fromJson(Files.readString(file), LinkedHashMap.class));
  }

  /** Integers as Long, as the agent's JSON loader produces them. */
  @SuppressWarnings("unchecked")
  private static <T> T normalize(T v) {
    if (v instanceof Double d && d == Math.rint(d)) {
      return (T) Long.valueOf(d.longValue());
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put((String) k, normalize(x)));
      return (T) out;
    }
    if (v instanceof List<?> l) {
      return (T) l.stream().map(BundledProfilesTest::normalize).collect(Collectors.toList());
    }
    return v;
  }
}
