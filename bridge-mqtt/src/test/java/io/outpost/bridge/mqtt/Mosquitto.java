package io.outpost.bridge.mqtt;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto (the Debian package) on a free loopback port with a generated config, for tests.
 * Sessions persist across {@link #restart()} (persistence on, saved at a clean stop), as on a site.
 */
final class Mosquitto implements AutoCloseable {
  final int port;
  private final Path dir;
  private final List<String> extra;
  private Process process;

  private Mosquitto(Path dir, int port, List<String> extra) {
    this.dir = dir;
    this.port = port;
    this.extra = extra;
  }

  /** Starts a broker that allows anonymous clients. */
  static Mosquitto start(Path dir) throws Exception {
    return start(dir, List.of("allow_anonymous true"));
  }

  /** Starts a broker with {@code extra} config lines (e.g. a password file). */
  static Mosquitto start(Path dir, List<String> extra) throws Exception {
    Mosquitto m = new Mosquitto(dir, freePort(), extra);
    m.launch();
    return m;
  }

  String url() {
    return "tcp://127.0.0.1:" + port;
  }

  private void launch() throws Exception {
    Files.createDirectories(dir);
    List<String> conf = new ArrayList<>();
    conf.add("listener " + port + " 127.0.0.1");
    conf.add("persistence true");
    conf.add("persistence_location " + dir + "/");
    conf.add("max_queued_messages 100000");
    // Started as root, mosquitto would switch to the user "mosquitto", who cannot write here.
    conf.add("user " + System.getProperty("user.name"));
    conf.add("log_dest file " + dir.resolve("mosquitto.log"));
    conf.add("log_type all");
    conf.addAll(extra);
    Path file = dir.resolve("mosquitto.conf");
    Files.write(file, conf);
    process =
        new ProcessBuilder(executable(), "-c", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "mosquitto exited: " + Files.readString(dir.resolve("stdout.log")));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException("mosquitto did not listen on " + port);
  }

  /** Debian installs the broker in /usr/sbin, which is not on every user's PATH. */
  private static String executable() {
    return Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
  }

  /** Stops cleanly (SIGTERM: the broker saves its sessions) and starts again on the same port. */
  void restart() throws Exception {
    stop();
    launch();
  }

  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** Starts again after {@link #stop()}. */
  void startAgain() throws Exception {
    launch();
  }

  /** Publishes with the real mosquitto_pub client. */
  void pub(String topic, String message, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("-m", message));
    args.addAll(List.of(options));
    runToEnd("mosquitto_pub", topic, args);
  }

  /**
   * Starts the real mosquitto_sub on {@code topic}, printing "topic payload" lines; read its output
   * after it exited (after {@code count} messages).
   */
  Process sub(String topic, int count, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("-C", "" + count, "-v", "-W", "30"));
    args.addAll(List.of(options));
    return client("mosquitto_sub", topic, args).start();
  }

  /**
   * Makes a persistent QoS 1 session {@code clientId} subscribed to {@code topic} (the real
   * mosquitto_sub, which leaves at once): the broker keeps what arrives for it, also across a clean
   * restart, until {@code sub(topic, n, "-c", "-i", clientId, "-q", "1")} collects it.
   */
  void subscribeForLater(String clientId, String topic) throws Exception {
    runToEnd("mosquitto_sub", topic, List.of("-q", "1", "-c", "-i", clientId, "-E"));
  }

  /** The real {@code program} (mosquitto_pub or mosquitto_sub) on this broker and {@code topic}. */
  private ProcessBuilder client(String program, String topic, List<String> options) {
    List<String> cmd =
        new ArrayList<>(List.of(program, "-h", "127.0.0.1", "-p", "" + port, "-t", topic));
    cmd.addAll(options);
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  /** Runs a client that leaves by itself; throws with its output unless it exits 0 within 10 s. */
  private void runToEnd(String program, String topic, List<String> options) throws Exception {
    Process p = client(program, topic, options).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          program
              + " "
              + String.join(" ", options)
              + " failed: "
              + new String(p.getInputStream().readAllBytes()));
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
