package io.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.outpost.agent.cli.Main;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.outputs.Outputs;
import io.outpost.agent.plugins.IsolatedSensor;
import io.outpost.agent.plugins.LoadedPlugins;
import io.outpost.agent.plugins.PluginLoader;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.uplink.RealtimeLink;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party plugin jar in plugins.dirs: its sensor type and its command work like built-ins.
 */
@Timeout(60)
class PluginEndToEndTest {
  @TempDir Path dir;

  private static final String FACTORY =
      """
      package acme;
      import io.outpost.plugin.*;
      import java.util.List;
      public final class Co2Factory implements SensorFactory {
        public String type() { return "acme.co2"; }
        public String description() { return "ACME CO2 sensor (test)"; }
        public Sensor create(SensorContext ctx) throws ConfigException {
          ctx.options().allowOnly(java.util.Set.of("ppm"));
          double ppm = ctx.options().number("ppm", 420);
          return () -> List.of(Reading.number("co2", "ppm", ppm, ctx.clock().instant()));
        }
      }
      """;

  private static final String HANDLERS =
      """
      package acme;
      import io.outpost.plugin.*;
      import java.util.List;
      import java.util.Map;
      public final class Handlers implements CommandHandlerFactory {
        public List<CommandHandler> create(PluginContext ctx) {
          return List.of(new CommandHandler() {
            public String name() { return "acme.hello"; }
            public CommandResult handle(Command c) throws Exception {
              return CommandResult.succeeded(Map.of("hello", c.args().string("who"), "device", ctx.deviceId()));
            }
          });
        }
      }
      """;

  private Path pluginJar() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/acme"));
    Files.writeString(src.resolve("Co2Factory.java"), FACTORY);
    Files.writeString(src.resolve("Handlers.java"), HANDLERS);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                "--release",
                "17",
                "-proc:none",
                "-classpath",
                System.getProperty("java.class.path"),
                src.resolve("Co2Factory.java").toString(),
                src.resolve("Handlers.java").toString());
    assertThat(rc).isZero();
    Path jar = Files.createDirectories(dir.resolve("plugins")).resolve("acme.jar");
    try (OutputStream os = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(os)) {
      try (Stream<Path> walk = Files.walk(classes)) {
        for (Path p : walk.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(p).toString()));
          Files.copy(p, out);
          out.closeEntry();
        }
      }
      out.putNextEntry(new JarEntry("META-INF/services/io.outpost.plugin.SensorFactory"));
      out.write("acme.Co2Factory\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new JarEntry("META-INF/services/io.outpost.plugin.CommandHandlerFactory"));
      out.write("acme.Handlers\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar.getParent();
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {
      Integer.toString(code),
      out.toString(StandardCharsets.UTF_8),
      err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void aPluginSensorIsCheckedAndSampledLikeABuiltInOne() throws Exception {
    Path plugins = pluginJar();
    Path profile =
        TestConfigs.profile(
            dir,
            "[{\"name\": \"air\", \"type\": \"acme.co2\", \"interval\": \"1s\", \"ppm\": 612}]");
    Path cfg =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"pi-1\"}, \"network\": {\"token\": {\"value\": \"t\"}},"
                + " \"profile\": \""
                + profile
                + "\", \"plugins\": {\"dirs\": [\""
                + plugins
                + "\"]}}");
    String[] sample = run("sample", "--config", cfg.toString());
    assertThat(sample[0]).isEqualTo("0");
    assertThat(sample[1]).startsWith("{\"n\":\"air/co2\",\"u\":\"ppm\",\"v\":612,");
    assertThat(run("check", "--config", cfg.toString())[0]).isEqualTo("0");

    // The plugin validates its own options, and its messages carry the profile location.
    Path bad =
        TestConfigs.profile(
            dir,
            "[{\"name\": \"air\", \"type\": \"acme.co2\", \"interval\": \"1s\", \"pmm\": 612}]");
    String[] check =
        run(
            "check",
            "--config",
            TestConfigs.write(
                    dir,
                    "agent.json",
                    Files.readString(cfg).replace(profile.toString(), bad.toString()))
                .toString());
    assertThat(check[0]).isEqualTo("2");
    assertThat(check[2])
        .contains(
            "test-profile.json: sensors[0] (\"air\", acme.co2): pmm: unknown key (expected one of [ppm])");
  }

  @Test
  void aPluginCommandRunsThroughTheRouterLikeABuiltIn() throws Exception {
    Path plugins = pluginJar();
    try (RelayFixture relay = RelayFixture.started();
        EventsRecorder backend = new EventsRecorder(relay, "backend")) {
      Map<String, Object> cfg = new LinkedHashMap<>();
      cfg.put("device", Map.of("id", "pi-plug", "fleet", "lab"));
      cfg.put("network", relay.network("1h"));
      cfg.put(
          "profile",
          TestConfigs.profile(
                  dir, "[{\"name\": \"air\", \"type\": \"acme.co2\", \"interval\": \"200ms\"}]")
              .toString());
      cfg.put("stateDir", dir.resolve("state").toString());
      cfg.put("status", Map.of("file", dir.resolve("status.json").toString()));
      cfg.put("plugins", Map.of("dirs", List.of(plugins.toString())));
      AgentConfig c = TestConfigs.loader(Map.of()).load(cfg, "test", dir, true);
      LoadedPlugins loaded =
          new PluginLoader().load(c.plugins().dirs(), Set.copyOf(SensorRegistry.builtIn().types()));
      SensorRegistry registry =
          new SensorRegistry(
              loaded.isolatedSensorFactories(IsolatedSensor.Limits.defaults()), new Outputs());
      List<SensorSetup.Configured> sensors = TestConfigs.sensors(c, registry);
      try (Agent agent =
          Agent.start(
              c, sensors, registry.outputs(), new RealtimeLink(c), Clock.systemUTC(), loaded)) {
        backend.awaitMessage(EventsRecorder.type("status"), Duration.ofSeconds(20));
        JsonObject t =
            backend.awaitMessage(EventsRecorder.type("telemetry"), Duration.ofSeconds(20));
        assertThat(t.getAsJsonArray("records").get(0).getAsJsonObject().get("n").getAsString())
            .isEqualTo("air/co2");
        relay.publish(
            "fleets/lab/commands",
            "{\"type\": \"command\", \"id\": \"p-1\", \"name\": \"acme.hello\", \"args\": {\"who\": \"ops\"}}");
        JsonObject r =
            backend.awaitMessage(EventsRecorder.type("command.result"), Duration.ofSeconds(20));
        assertThat(r.get("status").getAsString()).isEqualTo("succeeded");
        assertThat(r.getAsJsonObject("result").get("hello").getAsString()).isEqualTo("ops");
        assertThat(r.getAsJsonObject("result").get("device").getAsString()).isEqualTo("pi-plug");
        assertThat(agent.outbox().writable()).isTrue();
      }
    }
  }
}
