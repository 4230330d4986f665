package io.outpost.agent.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.Gson;
import io.outpost.agent.hardware.Hardwares;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.TestSensorContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Data-driven driver tests: each folder {@code src/test/resources/drivers/<driver>/<case>/} holds a
 * {@code sensor.json} (a profile's sensor entry, with a {@code simulate} object pointing at fixture
 * files in the same folder) and either {@code expected.txt} (one reading per line: {@code quantity
 * unit value}, {@code -} for no unit, {@code *} for any value) or {@code expected.err} (text the
 * error message must contain). The real factory from {@link Drivers#all()} runs against the
 * simulated hardware {@link Hardwares} builds, exactly as {@code outpost sample} does on a
 * simulated profile. Adding a regression case needs no Java.
 */
class DriverCasesTest {
  private static final Path ROOT = Path.of("src/test/resources/drivers");

  @TestFactory
  @Timeout(60)
  Stream<DynamicTest> everyCase() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> drivers = Files.list(ROOT)) {
      for (Path driver : drivers.sorted().toList()) {
        if (!Files.isDirectory(driver)) {
          continue;
        }
        try (Stream<Path> cases = Files.list(driver)) {
          for (Path c :
              cases.filter(p -> Files.isRegularFile(p.resolve("sensor.json"))).sorted().toList()) {
            tests.add(
                DynamicTest.dynamicTest(
                    driver.getFileName() + "/" + c.getFileName(), () -> run(c)));
          }
        }
      }
    }
    assertThat(tests).as("driver cases under " + ROOT).hasSizeGreaterThan(20);
    return tests.stream();
  }

  private static void run(Path dir) throws Exception {
    Path err = dir.resolve("expected.err");
    if (Files.exists(err)) {
      String expected = Files.readString(err, StandardCharsets.UTF_8).strip();
      assertThatThrownBy(() -> readOnce(dir)).hasMessageContaining(expected);
      return;
    }
    List<Reading> readings = readOnce(dir);
    List<String[]> expected = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("expected.txt"), StandardCharsets.UTF_8)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        expected.add(line.trim().split("\\s+"));
      }
    }
    assertThat(readings.stream().map(Reading::quantity).toList())
        .containsExactlyElementsOf(expected.stream().map(e -> e[0]).toList());
    for (int i = 0; i < expected.size(); i++) {
      String[] e = expected.get(i);
      Reading r = readings.get(i);
      assertThat(r.unit()).as(e[0] + " unit").isEqualTo(e[1].equals("-") ? null : e[1]);
      if (e[2].equals("*")) {
        continue;
      }
      if (e[2].equals("true") || e[2].equals("false")) {
        assertThat(r.boolValue()).as(e[0]).isEqualTo(Boolean.parseBoolean(e[2]));
      } else {
        double want = Double.parseDouble(e[2]);
        assertThat(r.value()).as(e[0]).isCloseTo(want, within(Math.abs(want) * 1e-12 + 1e-12));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Reading> readOnce(Path dir) throws Exception {
    Map<String, Object> entry =
        new Gson().fromJson(Files.readString(dir.resolve("sensor.json")), LinkedHashMap.class);
    entry = normalizeNumbers(entry);
    String type = (String) entry.remove("type");
    Map<String, Object> simulate = (Map<String, Object>) entry.remove("simulate");
    SensorFactory factory =
        Drivers.all().stream().filter(f -> f.type().equals(type)).findFirst().orElseThrow();
    Hardware hw = Hardwares.forSensor(type, new Options(dir + ": simulate", simulate), dir);
    TestSensorContext ctx =
        TestSensorContext.builder(dir.getFileName().toString()).options(entry).hardware(hw).build();
    try (Sensor s = factory.create(ctx)) {
      s.start();
      return s.read();
    }
  }

  /** Gson reads every JSON number as a Double; the agent's loader keeps integers as Long. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> normalizeNumbers(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> {
          if (v instanceof Double d && d == Math.rint(d)) {
            out.put(k, d.longValue());
          } else if (v instanceof Map<?, ?> sub) {
            out.put(k, normalizeNumbers((Map<String, Object>) sub));
          } else {
            out.put(k, v);
          }
        });
    return out;
  }
}
