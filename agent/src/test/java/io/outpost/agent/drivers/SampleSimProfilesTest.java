package io.outpost.agent.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import io.outpost.agent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * End to end: {@code outpost sample --profile <name>-sim} for every bundled simulated profile, as a
 * user would run it, with the fixtures taken from the classpath copy of {@code device-profiles/}.
 */
@Timeout(120)
class SampleSimProfilesTest {

  @TestFactory
  Stream<DynamicTest> sampleEverySimProfile() throws IOException {
    List<Path> sims;
    try (Stream<Path> s = Files.list(Path.of("../device-profiles"))) {
      sims = s.filter(p -> p.getFileName().toString().endsWith("-sim.json")).sorted().toList();
    }
    assertThat(sims).hasSizeGreaterThanOrEqualTo(5);
    return sims.stream()
        .map(
            p ->
                DynamicTest.dynamicTest(
                    p.getFileName().toString(),
                    () -> {
                      String name = p.getFileName().toString().replace(".json", "");
                      ByteArrayOutputStream out = new ByteArrayOutputStream();
                      ByteArrayOutputStream err = new ByteArrayOutputStream();
                      int code =
                          Main.run(
                              new String[] {"sample", "--profile", name},
                              new PrintStream(out, true, StandardCharsets.UTF_8),
                              new PrintStream(err, true, StandardCharsets.UTF_8));
                      String stdout = out.toString(StandardCharsets.UTF_8);
                      assertThat(code)
                          .as("exit code; stderr: " + err.toString(StandardCharsets.UTF_8))
                          .isZero();
                      List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
                      assertThat(lines).isNotEmpty();
                      @SuppressWarnings("unchecked")
                      List<Map<String, Object>> sensors =
                          (List<Map<String, Object>>)
                              new Gson().fromJson(Files.readString(p), Map.class).get("sensors");
                      for (Map<String, Object> sensor : sensors) {
                        String prefix = sensor.get("name") + "/";
                        assertThat(lines)
                            .as("records of sensor " + prefix)
                            .anySatisfy(
                                l -> {
                                  @SuppressWarnings("unchecked")
                                  Map<String, Object> rec = new Gson().fromJson(l, Map.class);
                                  assertThat((String) rec.get("n")).startsWith(prefix);
                                });
                      }
                    }));
  }
}
