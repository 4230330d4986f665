package io.outpost.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.TestSensorContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PluginLoaderTest {
  @TempDir Path work;

  @Test
  void loadsAJarDroppedIntoAPluginDirectoryAndReadsItsSensor() throws Exception {
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    PluginJars.sensorPlugin(plugins, "acme-co2.jar", "com.acme", "acme.co2", 412.0);
    try (LoadedPlugins loaded =
        new PluginLoader().load(List.of(work.resolve("absent"), plugins), Set.of("bme280"))) {
      assertThat(loaded.problems()).isEmpty();
      assertThat(loaded.jars()).containsExactly(plugins.resolve("acme-co2.jar"));
      SensorFactory f = loaded.sensorFactories().get(0);
      assertThat(f.type()).isEqualTo("acme.co2");
      try (Sensor s = f.create(TestSensorContext.builder("co2").option("scale", 2).build())) {
        List<Reading> r = s.read();
        assertThat(r.get(0).value()).isEqualTo(824.0);
        assertThat(r.get(1).boolValue())
            .as("plugins see only the JDK and the plugin API")
            .isFalse();
      }
    }
  }

  @Test
  void aBadJarIsReportedAndTheOthersStillLoad() throws Exception {
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    Files.writeString(plugins.resolve("a-truncated.jar"), "PK\3\4 this is not a complete zip");
    PluginJars.build(
        work,
        "b-missing-class.jar",
        Map.of(),
        Map.of("io.outpost.plugin.SensorFactory", "com.acme.Gone"));
    Files.move(work.resolve("b-missing-class.jar"), plugins.resolve("b-missing-class.jar"));
    PluginJars.build(
        plugins,
        "c-throws.jar",
        Map.of(
            "com.acme.Throws",
            """
        package com.acme;
        public final class Throws implements io.outpost.plugin.SensorFactory {
          public Throws() { throw new IllegalStateException("license file missing"); }
          public String type() { return "acme.throws"; }
          public String description() { return ""; }
          public io.outpost.plugin.Sensor create(io.outpost.plugin.SensorContext c) { return null; }
        }
        """),
        Map.of("io.outpost.plugin.SensorFactory", "com.acme.Throws"));
    PluginJars.sensorPlugin(plugins, "d-builtin-type.jar", "com.evil", "bme280", 1);
    PluginJars.sensorPlugin(plugins, "e-good.jar", "com.good", "good.sensor", 7);
    PluginJars.sensorPlugin(plugins, "f-same-type.jar", "com.copy", "good.sensor", 8);
    PluginJars.build(plugins, "g-empty.jar", Map.of(), Map.of());

    try (LoadedPlugins loaded = new PluginLoader().load(List.of(plugins), Set.of("bme280"))) {
      assertThat(loaded.sensorFactories())
          .extracting(SensorFactory::type)
          .containsExactly("good.sensor");
      assertThat(loaded.problems())
          .extracting(p -> p.jar().getFileName() + ": " + p.message())
          .satisfiesExactly(
              p ->
                  assertThat(p)
                      .startsWith("a-truncated.jar: not a readable jar file (")
                      .endsWith("); was the copy complete?"),
              p ->
                  assertThat(p)
                      .startsWith("b-missing-class.jar: SensorFactory: ")
                      .contains("com.acme.Gone not found"),
              p ->
                  assertThat(p)
                      .startsWith("c-throws.jar: SensorFactory: ")
                      .contains("license file missing"),
              p ->
                  assertThat(p)
                      .isEqualTo(
                          "d-builtin-type.jar: sensor type \"bme280\" of com.evil.Factory is a built-in "
                              + "type; the plugin's factory is ignored (rename its type, e.g. \"vendor.bme280\")"),
              p ->
                  assertThat(p)
                      .isEqualTo(
                          "f-same-type.jar: sensor type \"good.sensor\" is already provided by e-good.jar; "
                              + "this jar's factory is ignored"),
              p -> assertThat(p).startsWith("g-empty.jar: declares no factories"));
    }
  }

  @Test
  void pluginSensorsAreRegisteredIsolated() throws Exception {
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    PluginJars.sensorPlugin(plugins, "acme.jar", "com.acme", "acme.thing", 3.0);
    try (LoadedPlugins loaded = new PluginLoader().load(List.of(plugins), Set.of())) {
      SensorFactory f = loaded.isolatedSensorFactories(IsolatedSensor.Limits.defaults()).get(0);
      assertThat(f.type()).isEqualTo("acme.thing");
      assertThat(f.description()).isEqualTo("test plugin sensor");
      Sensor s = f.create(TestSensorContext.builder("thing").build());
      assertThat(s).isInstanceOf(IsolatedSensor.class);
      assertThat(s.read())
          .extracting(Reading::quantity)
          .containsExactly("value", "seesAgentClasses");
      assertThat(((IsolatedSensor) s).health().state()).isEqualTo(IsolatedSensor.State.OK);
      s.close();
    }
  }

  @Test
  void commandHandlersComeFromTheirFactoriesAndABrokenFactoryIsReported() throws Exception {
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    PluginJars.build(
        plugins,
        "handlers.jar",
        Map.of(
            "com.acme.Good",
                """
            package com.acme;
            import io.outpost.plugin.*;
            import java.util.List;
            public final class Good implements CommandHandlerFactory {
              public List<CommandHandler> create(PluginContext c) {
                return List.of(new CommandHandler() {
                  public String name() { return "acme.ping"; }
                  public CommandResult handle(Command cmd) { return CommandResult.succeeded(c.deviceId()); }
                });
              }
            }
            """,
            "com.acme.Bad",
                """
            package com.acme;
            import io.outpost.plugin.*;
            import java.util.List;
            public final class Bad implements CommandHandlerFactory {
              public List<CommandHandler> create(PluginContext c) throws ConfigException {
                throw new ConfigException("plugins.config.acme", "key", "missing, expected a string");
              }
            }
            """),
        Map.of("io.outpost.plugin.CommandHandlerFactory", "com.acme.Good\ncom.acme.Bad"));
    try (LoadedPlugins loaded = new PluginLoader().load(List.of(plugins), Set.of())) {
      assertThat(loaded.problems()).isEmpty();
      List<String> problems = new java.util.ArrayList<>();
      var handlers = loaded.createCommandHandlers(new TestPluginContext("pi-0042"), problems);
      assertThat(handlers).extracting(h -> h.name()).containsExactly("acme.ping");
      assertThat(handlers.get(0).handle(null).result()).isEqualTo("pi-0042");
      assertThat(problems)
          .containsExactly("com.acme.Bad: plugins.config.acme: key: missing, expected a string");
    }
  }

  /** Just enough of a PluginContext for factories that read the device id. */
  private record TestPluginContext(String deviceId) implements io.outpost.plugin.PluginContext {
    @Override
    public io.outpost.plugin.Options options() {
      return io.outpost.plugin.Options.empty("plugins.config.acme");
    }

    @Override
    public java.time.Clock clock() {
      return new io.outpost.plugin.testkit.FakeClock();
    }

    @Override
    public java.util.concurrent.ScheduledExecutorService scheduler() {
      throw new UnsupportedOperationException("not used by this test");
    }

    @Override
    public io.outpost.plugin.Hardware hardware() {
      return new io.outpost.plugin.testkit.FakeHardware();
    }

    @Override
    public io.outpost.plugin.Uplink uplink() {
      throw new UnsupportedOperationException("not used by this test");
    }

    @Override
    public io.outpost.plugin.PluginLog log() {
      return io.outpost.plugin.testkit.TestSensorContext.builder("acme").build().log();
    }
  }

  @Test
  void defaultDirectoriesAreTheDocumentedOnes() {
    assertThat(PluginLoader.DEFAULT_DIRS)
        .containsExactly(Path.of("/usr/lib/outpost/plugins"), Path.of("/etc/outpost/plugins"));
  }
}
