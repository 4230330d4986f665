package io.outpost.agent.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.outpost.agent.Agent;
import io.outpost.agent.Closeables;
import io.outpost.agent.NodeScripts;
import io.outpost.agent.RelayFixture;
import io.outpost.agent.TestConfigs;
import io.outpost.agent.camera.Cameras;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.uplink.RealtimeLink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's fleet dashboard in a real browser: headless Chromium (Debian's {@code chromium})
 * driven by {@code playwright-core} ({@code src/test/js/dashboard}, pinned in its lock file)
 * against a real relay and three agents on simulated hardware (two with a simulated camera). Fails,
 * not skips, without Node, npm or Chromium. Saves {@code target/dashboard.png} and {@code
 * target/dashboard-phone.png}.
 */
@Timeout(180)
class DashboardBrowserTest {
  private static final Path JS = Path.of("src/test/js/dashboard").toAbsolutePath();
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @TempDir Path dir;
  private RelayFixture relay;
  private final Map<String, Agent> agents = new LinkedHashMap<>();

  @BeforeAll
  static void installPlaywright() throws Exception {
    assertThat(CHROMIUM)
        .as("Debian's chromium package (apt-get install chromium; ./scripts/test installs it)")
        .isExecutable();
    NodeScripts.npmCi(JS, Duration.ofSeconds(300));
  }

  @AfterEach
  void tearDown() throws Exception {
    List<AutoCloseable> all = new ArrayList<>(agents.values());
    all.add(relay);
    Closeables.closeAll(all.toArray(AutoCloseable[]::new));
  }

  @Test
  void thePageListsDevicesChartsThemAndAnswersCommands() throws Exception {
    relay = RelayFixture.started();
    start("dev-1", "simulated-camera");
    start("dev-2", "simulated-camera");
    start("dev-3", "greenhouse-sim"); // has the "pump" relay output
    String operator = relay.relay().dashboardUrl(true).orElseThrow().toString();
    String viewer = relay.relay().dashboardUrl(false).orElseThrow().toString();
    Path shot = Path.of("target/dashboard.png").toAbsolutePath();

    Process node =
        new ProcessBuilder("node", "dashboard.cjs", operator, viewer, shot.toString())
            .directory(JS.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Map<String, JsonObject> checks = new LinkedHashMap<>();
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
      String line;
      while ((line = out.readLine()) != null) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (o.has("failed")) {
          fail("browser: " + o.get("failed").getAsString() + " (after " + checks.keySet() + ")");
        }
        if (o.has("replay")) {
          // What a device sends after an outage: stored messages packed into one envelope.
          String id = o.get("replay").getAsString();
          relay.publish(
              "devices/" + id + "/events",
              "{\"type\": \"replay\", \"device\": \""
                  + id
                  + "\", \"stream\": \"s\", \"messages\": ["
                  + "{\"type\": \"buffer.dropped\", \"stream\": \"s\", \"seq\": 9003, \"fromSeq\": 9001,"
                  + " \"toSeq\": 9002, \"count\": 2, \"reason\": \"maxBytes\"},"
                  + "{\"type\": \"command.result\", \"id\": \"replay-probe-1\", \"device\": \""
                  + id
                  + "\","
                  + " \"status\": \"succeeded\", \"result\": {}}]}");
          in.write("published\n");
          in.flush();
        } else if (o.has("stop")) {
          agents.remove(o.get("stop").getAsString()).close();
          in.write("stopped\n");
          in.flush();
        } else {
          checks.put(o.get("check").getAsString(), o);
        }
      }
    } finally {
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
    assertThat(node.exitValue()).as("node dashboard.cjs exit code").isZero();

    assertThat(checks.get("devices").get("ids").toString())
        .isEqualTo("[\"dev-1\",\"dev-2\",\"dev-3\"]");
    // The login code leaves the address bar once the page has it.
    assertThat(checks.get("devices").get("address").getAsString()).doesNotContain("login=");
    JsonObject chart = checks.get("chart");
    assertThat(chart.get("after").getAsInt()).isGreaterThan(chart.get("before").getAsInt());
    assertThat(checks.get("ping").get("result").getAsString())
        .contains("succeeded")
        .contains("pong");
    assertThat(checks.get("snapshot").get("width").getAsInt()).isPositive();
    assertThat(checks.get("chunked").get("caption").getAsString())
        .startsWith("snapshot 1920x1080")
        .endsWith(" chunks)");
    JsonObject output = checks.get("output");
    assertThat(output.get("now").getAsBoolean()).isNotEqualTo(output.get("was").getAsBoolean());
    assertThat(output.get("result").getAsString()).contains("succeeded");
    assertThat(checks.get("replay").getAsJsonArray("lines"))
        .as("each message of the envelope in the log")
        .hasSize(2);
    assertThat(checks.get("offline").get("seen").getAsString()).startsWith("offline");
    JsonObject view = checks.get("viewer");
    assertThat(view.get("role").getAsString()).isEqualTo("read-only");
    assertThat(view.get("controlsHidden").getAsBoolean()).isTrue();
    assertThat(view.get("pumpDisabled").getAsBoolean()).isTrue();
    assertThat(view.get("fitsPhone").getAsBoolean())
        .as("no sideways scrolling on a phone")
        .isTrue();
    assertThat(checks.get("errors").getAsJsonArray("errors")).isEmpty();
    assertThat(shot).isRegularFile();
  }

  /** The relay ships uPlot exactly as the pinned npm release has it. */
  @Test
  void theVendoredChartLibraryIsThePinnedRelease() throws Exception {
    Path vendored = Path.of("../relay/src/main/resources/io/outpost/relay/dashboard/static/vendor");
    Path npm = JS.resolve("node_modules/uplot");
    assertThat(Files.readAllBytes(vendored.resolve("uPlot.iife.min.js")))
        .isEqualTo(Files.readAllBytes(npm.resolve("dist/uPlot.iife.min.js")));
    assertThat(Files.readAllBytes(vendored.resolve("uPlot.min.css")))
        .isEqualTo(Files.readAllBytes(npm.resolve("dist/uPlot.min.css")));
    assertThat(Files.readAllBytes(vendored.resolve("uPlot.LICENSE.txt")))
        .isEqualTo(Files.readAllBytes(npm.resolve("LICENSE")));
  }

  private void start(String id, String profile) throws Exception {
    Path home = Files.createDirectories(dir.resolve(id));
    Map<String, Object> cfg = TestConfigs.againstRelay(home, id, relay.network("1h"), profile);
    cfg.put("commands", Map.of("allowFrom", List.of("system", "dashboard-*")));
    cfg.put("status", Map.of("file", home.resolve("status.json").toString(), "interval", "2s"));
    AgentConfig config = TestConfigs.loader(Map.of()).load(cfg, "test", home, true);
    SensorRegistry registry = SensorRegistry.builtIn();
    Cameras cameras = TestConfigs.cameras(config);
    agents.put(
        id,
        Agent.start(
            config,
            TestConfigs.sensors(config, registry),
            registry.outputs(),
            new RealtimeLink(config),
            Clock.systemUTC(),
            null,
            cameras));
  }
}
