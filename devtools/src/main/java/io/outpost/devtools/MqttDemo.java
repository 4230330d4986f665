package io.outpost.devtools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT part of {@code outpost demo --mqtt}: a local Mosquitto (generated config, a free
 * loopback port) that the first demo agent bridges (docs/bridge.md), and the real {@code
 * mosquitto_pub} / {@code mosquitto_sub} clients showing both directions: a reading published
 * locally arrives on the network, a fleet command arrives at a local subscriber.
 *
 * <pre>{@code
 * try (MqttDemo mqtt = MqttDemo.start(dir, out)) {   // IllegalStateException: not installed
 *   agentConfig.put("bridge", mqtt.bridgeSection());
 *   mqtt.subscribeCommands();                        // prints "mqtt <- cmnd/valve {...}"
 *   mqtt.publishReading();                           // prints "mqtt -> sensors/greenhouse/temperature 21.5"
 * }
 * }</pre>
 */
final class MqttDemo implements AutoCloseable {
  static final String READING_TOPIC = "sensors/greenhouse/temperature";
  static final String COMMAND_TOPICS = "cmnd/#";

  private final Path dir;
  private final int port;
  private final PrintStream out;
  private final Process broker;
  private Process subscriber;
  private Thread printer;

  private MqttDemo(Path dir, int port, PrintStream out, Process broker) {
    this.dir = dir;
    this.port = port;
    this.out = out;
    this.broker = broker;
  }

  /**
   * Starts Mosquitto in {@code dir}.
   *
   * @throws IllegalStateException with what to install when Mosquitto or its clients are missing,
   *     or why it did not start
   */
  static MqttDemo start(Path dir, PrintStream out) throws IOException, InterruptedException {
    String mosquitto = find("mosquitto", "/usr/sbin/mosquitto");
    if (mosquitto == null || find("mosquitto_pub", null) == null) {
      throw new IllegalStateException(
          "outpost demo --mqtt needs Mosquitto and its clients: sudo apt-get install mosquitto"
              + " mosquitto-clients");
    }
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> conf = new ArrayList<>();
    conf.add("listener " + port + " 127.0.0.1");
    conf.add("allow_anonymous true");
    // Started as root, mosquitto would switch to the user "mosquitto".
    conf.add("user " + System.getProperty("user.name"));
    conf.add("log_dest file " + dir.resolve("mosquitto.log"));
    Path file = dir.resolve("mosquitto.conf");
    Files.write(file, conf);
    Process p =
        new ProcessBuilder(mosquitto, "-c", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.out").toFile())
            .start();
    MqttDemo demo = new MqttDemo(dir, port, out, p);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "mosquitto exited: " + Files.readString(dir.resolve("mosquitto.out")).strip());
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return demo;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    demo.close();
    throw new IllegalStateException("mosquitto did not listen on port " + port);
  }

  /** The executable's path, or null: Debian puts the broker in /usr/sbin, off most PATHs. */
  private static String find(String name, String usual) {
    if (usual != null && Files.isExecutable(Path.of(usual))) {
      return usual;
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name).toString();
      }
    }
    return null;
  }

  String url() {
    return "tcp://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /**
   * The agent's {@code bridge} section: every {@code sensors/#} message to the device's events
   * channel as {@code mqtt.message}; commands named {@code mqtt.*} to {@code cmnd/<rest>}.
   */
  Map<String, Object> bridgeSection() {
    return Map.of(
        "broker",
        url(),
        "keepAlive",
        "5s",
        "out",
        List.of(Map.of("filter", "sensors/#")),
        "in",
        List.of(Map.of("command", "mqtt.", "topic", "cmnd/{name}")));
  }

  /** Starts {@code mosquitto_sub -t cmnd/#} and prints what it receives. */
  void subscribeCommands() throws IOException, InterruptedException {
    subscriber =
        new ProcessBuilder(client("mosquitto_sub", "-t", COMMAND_TOPICS, "-v", "-q", "1"))
            .redirectErrorStream(true)
            .start();
    printer =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(subscriber.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  out.println("mqtt <- " + line + "   (mosquitto_sub -t '" + COMMAND_TOPICS + "')");
                  out.flush();
                }
              } catch (IOException stopped) {
                // the subscriber was stopped
              }
            },
            "demo-mosquitto-sub");
    printer.setDaemon(true);
    printer.start();
    Thread.sleep(300); // subscribed before the demo's command is sent
  }

  /** Publishes one reading with {@code mosquitto_pub} (QoS 1) and prints it. */
  void publishReading() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(client("mosquitto_pub", "-t", READING_TOPIC, "-m", "21.5", "-q", "1"))
            .redirectErrorStream(true)
            .start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      out.println("mosquitto_pub failed: " + said);
      return;
    }
    out.println("mqtt -> " + READING_TOPIC + " 21.5   (mosquitto_pub, QoS 1)");
    out.flush();
  }

  /** What to paste to try it by hand. */
  List<String> tryLines() {
    return List.of(
        "  mosquitto_pub -p " + port + " -t " + READING_TOPIC + " -m 22.0 -q 1",
        "  mosquitto_sub -p " + port + " -t '" + COMMAND_TOPICS + "' -v");
  }

  private List<String> client(String name, String... args) {
    List<String> cmd = new ArrayList<>(List.of(name, "-h", "127.0.0.1", "-p", "" + port));
    cmd.addAll(List.of(args));
    return cmd;
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : new Process[] {subscriber, broker}) {
      if (p != null && p.isAlive()) {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      }
    }
    if (printer != null) {
      printer.join(1000);
    }
  }
}
