package io.outpost.bench.bridge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes of the bridge benchmark, each restartable with the same configuration and state:
 * the site broker A, Mosquitto B bridging {@code bench/#} from A the Mosquitto way, and the agent
 * bridging it to the network.
 */
final class Sites {
  final Path dir;
  final int portA;
  final int portB;
  Path agentConfig;
  private Process a;
  private Process b;
  private Process agent;

  Sites(Path dir, int portA, int portB) {
    this.dir = dir;
    this.portA = portA;
    this.portB = portB;
  }

  Process startA() throws Exception {
    a = BridgeBench.mosquitto(dir.resolve("a"), portA, List.of());
    return a;
  }

  Process startB() throws Exception {
    b =
        BridgeBench.mosquitto(
            dir.resolve("b"),
            portB,
            List.of(
                "connection site",
                "address 127.0.0.1:" + portA,
                "topic bench/# in 1",
                "cleansession false",
                "remote_clientid mosquitto-bridge",
                // Reconnect as soon as Outpost does (0.5 s doubling): no loss from a slow restart.
                "restart_timeout 1 5"));
    return b;
  }

  Process startAgent() throws Exception {
    agent =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.outpost.agent.cli.Main",
                "run",
                "--config",
                agentConfig.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.out").toFile()))
            .start();
    return agent;
  }

  /** A clean restart of A (SIGTERM: it saves its sessions), as {@code systemctl restart} does. */
  void restartA() throws Exception {
    stop(a, false);
    startA();
  }

  /** A clean restart of B: it saves its sessions (the consumer's subscription among them). */
  void restartB() throws Exception {
    stop(b, false);
    startB();
  }

  /** SIGKILL to both bridging processes at once: Mosquitto B and the agent. */
  void killBridges() throws Exception {
    b.destroyForcibly();
    agent.destroyForcibly();
    b.waitFor(10, TimeUnit.SECONDS);
    agent.waitFor(10, TimeUnit.SECONDS);
    // The dead agent's last status would say "ok": the next one is written by the restarted agent.
    java.nio.file.Files.deleteIfExists(dir.resolve("status.json"));
  }

  private static void stop(Process p, boolean kill) throws InterruptedException {
    if (kill) {
      p.destroyForcibly();
    } else {
      p.destroy();
    }
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
  }

  List<Process> running() {
    List<Process> out = new ArrayList<>();
    for (Process p : new Process[] {agent, b, a}) {
      if (p != null && p.isAlive()) {
        out.add(p);
      }
    }
    return out;
  }
}
