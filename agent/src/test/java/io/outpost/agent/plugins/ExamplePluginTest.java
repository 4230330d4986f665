package io.outpost.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.FakeClock;
import io.outpost.plugin.testkit.FakeHardware;
import io.outpost.plugin.testkit.TestSensorContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real example plugin (examples/sensor-plugin) built from its sources at test time, dropped
 * into a plugin directory and loaded by the agent's loader. Building it here keeps the reactor free
 * of an agent → example dependency; the example's own tests cover its readings.
 */
@Timeout(60)
class ExamplePluginTest {
  private static final Path EXAMPLE = Path.of("../examples/sensor-plugin/src/main");

  @TempDir Path work;

  @Test
  void theExamplePluginLoadsAndRunsIsolated() throws Exception {
    Map<String, String> sources = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(EXAMPLE.resolve("java"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
        String cls =
            EXAMPLE.resolve("java").relativize(p).toString().replace('/', '.').replace(".java", "");
        sources.put(cls, Files.readString(p));
      }
    }
    String services =
        Files.readString(
                EXAMPLE.resolve("resources/META-INF/services/io.outpost.plugin.SensorFactory"))
            .strip();
    Path plugins = Files.createDirectories(work.resolve("etc/outpost/plugins"));
    PluginJars.build(
        plugins,
        "outpost-scd4x-plugin.jar",
        sources,
        Map.of("io.outpost.plugin.SensorFactory", services));

    try (LoadedPlugins loaded = new PluginLoader().load(List.of(plugins), Set.of())) {
      assertThat(loaded.problems()).isEmpty();
      SensorFactory scd4x = loaded.sensorFactories().get(0);
      assertThat(scd4x.type()).isEqualTo("example.scd4x");
      assertThat(scd4x.getClass().getClassLoader().getName())
          .isEqualTo("plugin:outpost-scd4x-plugin.jar");

      FakeClock clock = new FakeClock();
      TestSensorContext ctx =
          TestSensorContext.builder("co2")
              .option("bus", 1)
              .hardware(new FakeHardware())
              .clock(clock)
              .build();
      IsolatedSensor sensor = IsolatedSensor.create(scd4x, ctx, IsolatedSensor.Limits.defaults());
      assertThatThrownBy(sensor::start)
          .isInstanceOf(IOException.class)
          .hasMessage(
              "scd4x at 0x62 on I2C bus 1: cannot open the device: no I2C device answers at 0x62 on bus 1 (simulated)");
      assertThat(sensor.health().state()).isEqualTo(IsolatedSensor.State.FAILING);
      assertThat(sensor.health().retryAt()).isEqualTo(clock.instant().plus(Duration.ofSeconds(1)));
      sensor.close();
    }
  }
}
