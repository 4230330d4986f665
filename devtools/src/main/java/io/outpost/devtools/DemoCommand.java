package io.outpost.devtools;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.Agent;
import io.outpost.agent.camera.Cameras;
import io.outpost.agent.cli.Args;
import io.outpost.agent.cli.CliCommand;
import io.outpost.agent.cli.Logging;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.ConfigInvalidException;
import io.outpost.agent.config.ConfigLoader;
import io.outpost.agent.config.DeviceIdentity;
import io.outpost.agent.config.Problems;
import io.outpost.agent.internal.Json;
import io.outpost.agent.plugins.LoadedPlugins;
import io.outpost.agent.plugins.PluginLoader;
import io.outpost.agent.profiles.Profiles;
import io.outpost.agent.profiles.SensorRegistry;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.uplink.RealtimeLink;
import io.outpost.plugin.Options;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.ReplayEnvelope;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import io.outpost.relay.TokenRequest;
import io.outpost.relay.dashboard.Dashboard;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code outpost demo}: a relay, three simulated agents of fleet {@code demo} and a live view of
 * {@code devices/*}{@code /events}, all in this process; prints a {@code curl} that sends a
 * command.
 */
public final class DemoCommand implements CliCommand {
  static final String FLEET = "demo";

  /**
   * The bundled default ({@code simulated}) plus a simulated camera, so the live view and the
   * dashboard show snapshots and motion; the default profile stays without one to stay cheap.
   */
  static final String PROFILE = "simulated-camera";

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "start a local relay and three simulated agents; show their telemetry live";
  }

  @Override
  public String help() {
    return """
        Usage: outpost demo [--devices N] [--duration D] [--port P] [--mqtt]

        Starts the local relay (port 8787 when free, else an ephemeral one), N simulated agents
        (default 3) of fleet "demo", each with its own temporary state directory, and prints every
        message on devices/*/events as one compact line. Prints a ready-to-paste curl command that
        sends a command to the whole fleet through the relay's REST API; its results show up in the
        live view. After 3 s the demo sends one "ping" itself. Ctrl-C stops everything.

        Options:
          --devices N    how many agents (1..20, default 3)
          --duration D   stop after D (e.g. "10s", "2m"); default: run until Ctrl-C
          --port P       relay port (default 8787, falling back to an ephemeral port)
          --mqtt         also start a local Mosquitto (free loopback port) that demo-1 bridges
                         (docs/bridge.md): after 3 s mosquitto_pub publishes a reading that
                         arrives on the network, and a fleet command "mqtt.valve" arrives at
                         mosquitto_sub; needs the packages mosquitto and mosquitto-clients
          --help         this text
        """;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Args a = new Args(name(), args, Set.of("devices", "duration", "port"), Set.of("mqtt"));
    if (a.help()) {
      out.print(help());
      return OK;
    }
    int devices = intOption(a, "devices", 3, 1, 20);
    int port = intOption(a, "port", RelaySettings.DEFAULT_PORT, 0, 65535);
    Duration duration = null;
    if (a.has("duration")) {
      try {
        duration = Options.parseDuration(a.get("duration"));
      } catch (IllegalArgumentException e) {
        throw new Args.UsageException(
            "outpost demo: --duration \""
                + a.get("duration")
                + "\" is not a duration such as \"10s\"");
      }
    }
    Logging.configure("warn", null);
    Path tmp = Files.createTempDirectory("outpost-demo-");
    MqttDemo mqtt = null;
    if (a.has("mqtt")) {
      try {
        mqtt = MqttDemo.start(tmp.resolve("mosquitto"), out);
      } catch (IllegalStateException e) {
        err.println(e.getMessage());
        deleteTree(tmp);
        return FAILURE;
      }
    }
    List<Agent> agents = new ArrayList<>();
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Relay relay = startRelay(port, err)) {
      String bearer = relay.secretKey().id() + ":" + relay.secretKey().secret();
      try (RealtimeClient viewer =
          RealtimeClient.create(
              RealtimeConfig.builder()
                  .url(relay.webSocketOrigin())
                  .token(
                      relay.mintToken(
                          TokenRequest.builder("demo-viewer")
                              .channels(List.of("devices/*/events"))
                              .permissions(List.of("subscribe"))
                              .ttl(Duration.ofHours(24))
                              .build()))
                  .build(),
              new Viewer(out))) {
        viewer.connect().get(10, TimeUnit.SECONDS);
        viewer.subscribe("devices/*/events").get(10, TimeUnit.SECONDS);
        ConfigLoader loader = new ConfigLoader(System.getenv(), new DeviceIdentity(tmp));
        for (int i = 1; i <= devices; i++) {
          agents.add(
              startAgent(
                  loader,
                  "demo-" + i,
                  relay,
                  bearer,
                  tmp.resolve("demo-" + i),
                  i == 1 && mqtt != null ? mqtt.bridgeSection() : null));
        }
        String url = relay.httpBase() + "/channels/fleets%2F" + FLEET + "%2Fcommands/publish";
        out.println(
            "relay:   " + relay.webSocketOrigin() + "/v1   (REST " + relay.httpBase() + ")");
        out.println(
            "agents:  "
                + devices
                + " simulated devices of fleet \""
                + FLEET
                + "\" (profile "
                + PROFILE
                + "), state under "
                + tmp);
        if (mqtt != null) {
          out.println(
              "mqtt:    Mosquitto on "
                  + mqtt.url()
                  + ", bridged by demo-1 ("
                  + bridgeHealth(agents.get(0))
                  + "); try:");
          mqtt.tryLines().forEach(out::println);
        }
        relay
            .dashboardUrl(true)
            .ifPresent(u -> out.println("dashboard: " + u + "   (open it in a browser)"));
        out.println("send a command to the fleet (its results appear below):");
        out.println("  curl -s -X POST '" + url + "' -H 'Authorization: Bearer " + bearer + "' \\");
        out.println("    -H 'Content-Type: application/json' \\");
        out.println(
            "    -d '{\"data\": {\"type\": \"command\", \"id\": \"c-'$RANDOM'\", \"name\": \"sample\", \"target\": \"*\"}}'");
        out.println(
            duration == null
                ? "live view (Ctrl-C stops all):"
                : "live view for " + a.get("duration") + ":");
        out.flush();
        if (!stop.await(3, TimeUnit.SECONDS)) {
          sendPing(url, bearer, err);
          if (mqtt != null) {
            mqtt.subscribeCommands();
            mqtt.publishReading();
            sendCommand(
                url,
                bearer,
                "{\"data\": {\"type\": \"command\", \"id\": \"demo-valve-"
                    + System.currentTimeMillis()
                    + "\", \"name\": \"mqtt.valve\", \"args\": {\"open\": true},"
                    + " \"target\": [\"demo-1\"]}}",
                err);
          }
        }
        if (duration == null) {
          stop.await();
        } else {
          stop.await(Math.max(0, duration.toMillis() - 3000), TimeUnit.MILLISECONDS);
        }
      } finally {
        agents.forEach(Agent::close);
      }
    } finally {
      if (mqtt != null) {
        mqtt.close();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // stopping because of Ctrl-C
      }
      deleteTree(tmp);
    }
    out.println("demo stopped");
    return OK;
  }

  private static int intOption(Args a, String name, int def, int min, int max)
      throws Args.UsageException {
    if (!a.has(name)) {
      return def;
    }
    try {
      int v = Integer.parseInt(a.get(name));
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new Args.UsageException(
          "outpost demo: --"
              + name
              + " \""
              + a.get(name)
              + "\" must be a number in "
              + min
              + ".."
              + max);
    }
  }

  private static Relay startRelay(int port, PrintStream err) throws IOException {
    try {
      return Relay.start(
          RelaySettings.builder()
              .listen(new InetSocketAddress("127.0.0.1", port))
              .keys(RelayKeys.development())
              .build());
    } catch (IOException e) {
      if (port == 0) {
        throw e;
      }
      err.println("port " + port + " is busy; using an ephemeral port");
      return Relay.start(
          RelaySettings.builder()
              .listen(new InetSocketAddress("127.0.0.1", 0))
              .keys(RelayKeys.development())
              .build());
    }
  }

  /**
   * The bridge's health word once it is {@code ok} or after 15 s: the demo's MQTT steps need the
   * bridge subscribed.
   */
  private static String bridgeHealth(Agent agent) throws InterruptedException {
    String h = "not started";
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < until) {
      Map<String, String> services = agent.snapshot().services();
      h = services == null ? "not running" : services.getOrDefault("bridge-mqtt", "not running");
      if (h.equals("ok")) {
        return "connected";
      }
      Thread.sleep(100);
    }
    return h;
  }

  /**
   * @param bridge the agent's {@code bridge} section, or null: then it runs no bridge
   */
  private static Agent startAgent(
      ConfigLoader loader,
      String id,
      Relay relay,
      String bearer,
      Path dir,
      Map<String, Object> bridge)
      throws Exception {
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("device", Map.of("id", id, "fleet", FLEET));
    cfg.put(
        "network",
        Map.of(
            "url",
            relay.webSocketOrigin().toString(),
            "token",
            Map.of("url", relay.httpBase() + "/tokens", "bearer", Map.of("value", bearer))));
    cfg.put("profile", PROFILE);
    // The dashboard's operator page sends commands as peer dashboard-…; the demo devices take them.
    cfg.put("commands", Map.of("allowFrom", List.of("system", Dashboard.PEER_PREFIX + "*")));
    cfg.put("stateDir", dir.resolve("state").toString());
    cfg.put("status", Map.of("file", dir.resolve("status.json").toString(), "interval", "30s"));
    if (bridge != null) {
      cfg.put("bridge", bridge);
    }
    try {
      AgentConfig config = loader.load(cfg, "built-in demo config", dir, true);
      SensorRegistry registry = SensorRegistry.builtIn();
      Profiles.Profile profile = Profiles.load(PROFILE, dir);
      var sensors = SensorSetup.buildAll(profile, config, registry, Clock.systemUTC());
      Problems problems = new Problems();
      Cameras cameras =
          Cameras.build(
              profile.json().get("cameras"), profile.source(), Clock.systemUTC(), problems);
      problems.throwIfAny();
      // The MQTT bridge is a service shipped beside the agent (lib/), found on the class path.
      LoadedPlugins plugins = bridge == null ? null : new PluginLoader().load(List.of(), Set.of());
      if (plugins != null
          && plugins.serviceFactories().stream().noneMatch(f -> "bridge".equals(f.section()))) {
        plugins.close();
        throw new IOException("the MQTT bridge (outpost-bridge-mqtt) is not on the class path");
      }
      return Agent.start(
          config,
          sensors,
          registry.outputs(),
          new RealtimeLink(config),
          Clock.systemUTC(),
          plugins,
          cameras);
    } catch (ConfigInvalidException e) {
      throw new IOException("demo config rejected (check OUTPOST_* variables): " + e.getMessage());
    }
  }

  private static void sendPing(String url, String bearer, PrintStream err) {
    sendCommand(
        url,
        bearer,
        "{\"data\": {\"type\": \"command\", \"id\": \"demo-ping-"
            + System.currentTimeMillis()
            + "\", \"name\": \"ping\", \"target\": \"*\"}}",
        err);
  }

  private static void sendCommand(String url, String bearer, String body, PrintStream err) {
    try {
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(url))
                      .header("Authorization", "Bearer " + bearer)
                      .header("Content-Type", "application/json")
                      .timeout(Duration.ofSeconds(5))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        err.println("demo command: relay answered HTTP " + r.statusCode());
      }
    } catch (IOException e) {
      err.println("demo command failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temp dir is harmless.
    }
  }

  /** Prints one compact line per message on devices/*{@code /events}. */
  static final class Viewer implements RealtimeListener {
    /** The demo profile's sensors in profile order; a batch is printed in this order. */
    private static final List<String> SENSOR_ORDER = List.of("env", "air", "ctr", "door");

    private final PrintStream out;

    Viewer(PrintStream out) {
      this.out = out;
    }

    /** Records that were read at the same moment arrive in any order; print them in a fixed one. */
    private static int sensorRank(JsonElement record) {
      String n = record.getAsJsonObject().get("n").getAsString();
      int i = SENSOR_ORDER.indexOf(n.substring(0, Math.max(0, n.indexOf('/'))));
      return i < 0 ? SENSOR_ORDER.size() : i;
    }

    @Override
    public void onMessage(ChannelMessage m) {
      lines(m.channel(), m.data()).forEach(out::println);
      out.flush();
    }

    /** One line per message; the messages of a replay envelope each on their own, marked. */
    static List<String> lines(String channel, JsonElement data) {
      if (!ReplayEnvelope.is(data)) {
        return List.of(line(channel, data));
      }
      List<String> out = new ArrayList<>();
      for (JsonElement inner : ReplayEnvelope.unpack(data)) {
        out.add(line(channel, inner) + " (replayed)");
      }
      return out;
    }

    static String line(String channel, JsonElement data) {
      String device = channel.split("/").length > 1 ? channel.split("/")[1] : channel;
      StringBuilder sb = new StringBuilder(LocalTime.now().format(TIME)).append(' ').append(device);
      if (!data.isJsonObject()) {
        return sb.append(' ').append(data).toString();
      }
      JsonObject o = data.getAsJsonObject();
      String type = o.has("type") ? o.get("type").getAsString() : "?";
      if (o.has("seq")) {
        sb.append(" #").append(o.get("seq").getAsLong());
      }
      sb.append(' ').append(type);
      switch (type) {
        case "telemetry" -> {
          var records = o.getAsJsonArray("records");
          List<JsonElement> ordered = new ArrayList<>(records.asList());
          ordered.sort(Comparator.comparingInt(Viewer::sensorRank));
          int shown = 0;
          for (JsonElement r : ordered) {
            if (shown++ == 5) {
              sb.append(" (+").append(records.size() - 5).append(" more)");
              break;
            }
            JsonObject ro = r.getAsJsonObject();
            JsonElement v = ro.has("v") ? ro.get("v") : ro.has("vb") ? ro.get("vb") : ro.get("vs");
            sb.append(' ').append(ro.get("n").getAsString()).append('=').append(v);
            if (ro.has("u")) {
              sb.append(ro.get("u").getAsString());
            }
          }
        }
        case "status" ->
            sb.append(" uptime=")
                .append(o.get("uptimeS"))
                .append("s buffer=")
                .append(o.getAsJsonObject("buffer").get("messages"))
                .append(" sensors=")
                .append(o.getAsJsonArray("sensors").size());
        case "command.result" -> {
          sb.append(' ')
              .append(o.get("id").getAsString())
              .append(' ')
              .append(o.has("name") ? o.get("name").getAsString() : "")
              .append(" -> ")
              .append(o.get("status").getAsString());
          if (o.has("result")) {
            String r = Json.write(o.get("result"));
            sb.append(' ').append(r.length() > 160 ? r.substring(0, 160) + "…" : r);
          }
          if (o.has("error")) {
            sb.append(' ').append(Json.write(o.get("error")));
          }
        }
        case "camera.snapshot", "camera.motion", "camera.detection" -> {
          // Images are base64 text: show what was seen and how big it is, not the bytes.
          JsonObject shown = o.deepCopy();
          shown.remove("type");
          shown.remove("seq");
          shown.remove("stream");
          if (shown.has("attachment")) {
            JsonObject a = shown.getAsJsonObject("attachment");
            a.remove("data");
            a.remove("sha256");
          }
          sb.append(' ').append(Json.write(shown));
        }
        case "mqtt.message" ->
            sb.append(' ')
                .append(o.get("topic").getAsString())
                .append(' ')
                .append(Json.write(o.get("payload")));
        case "attachment.chunk" ->
            sb.append(' ')
                .append(o.get("attachmentId").getAsString())
                .append(' ')
                .append(o.get("index").getAsInt() + 1)
                .append('/')
                .append(o.get("count").getAsInt());
        default -> sb.append(' ').append(Json.write(o));
      }
      return sb.toString();
    }
  }
}
