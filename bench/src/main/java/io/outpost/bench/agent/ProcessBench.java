package io.outpost.bench.agent;

import io.outpost.agent.internal.Json;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code outpost run} as a child JVM with the launchers' flags and environment ({@link
 * LauncherFlags}), against an in-process relay: time to the first acked telemetry, disk bytes per
 * message, resident memory (sampled every 30 s and at the end) and CPU time.
 *
 * <p>System properties: {@code bench.profile} = {@code bench} (default: a counter at 100 ms,
 * batches sent at once, i.e. 10 messages/s) or a bundled profile name such as {@code simulated}
 * (the agent's default telemetry settings); {@code bench.env} = extra environment for the agent,
 * {@code K=V,K=V} (e.g. {@code MALLOC_ARENA_MAX=8} to override the launcher's value, {@code
 * MALLOC_ARENA_MAX=} to drop it); {@code bench.out} = directory for the agent's files and the
 * memory reports (default: a new temporary directory). When the extra flags turn on {@code
 * -XX:NativeMemoryTracking}, {@code jcmd VM.native_memory summary} is saved there at the end, as
 * are {@code smaps_rollup} and {@code pmap -x}.
 */
final class ProcessBench {
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private ProcessBench() {}

  static void run(int seconds, List<String> extraFlags) throws Exception {
    LauncherFlags launcher = LauncherFlags.read(Path.of("").toAbsolutePath());
    String profile = System.getProperty("bench.profile", "bench");
    String out = System.getProperty("bench.out", "");
    Path dir =
        out.isEmpty()
            ? Files.createTempDirectory("agent-bench-")
            : Files.createDirectories(Path.of(out));
    RelayKeys keys = RelayKeys.development();
    int port = AgentBench.freePort();
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("device", Map.of("id", "bench-1", "fleet", "bench"));
    cfg.put(
        "network",
        Map.of(
            "url",
            "ws://127.0.0.1:" + port,
            "token",
            Map.of(
                "url",
                "http://127.0.0.1:" + port + "/v1/tokens",
                "bearer",
                Map.of("value", AgentBench.bearer(keys)))));
    if (profile.equals("bench")) {
      Files.writeString(
          dir.resolve("profile.json"),
          """
          {"name": "bench", "description": "10 messages/s",
           "sensors": [{"name": "ctr", "type": "sim.counter", "interval": "100ms"},
                       {"name": "env", "type": "sim.sine", "interval": "1s", "quantity": "temperature", "unit": "Cel"}]}
          """);
      cfg.put("profile", dir.resolve("profile.json").toString());
      cfg.put("telemetry", Map.of("batch", Map.of("maxDelay", "0s")));
    } else {
      cfg.put("profile", profile);
    }
    cfg.put("stateDir", dir.resolve("state").toString());
    cfg.put("status", Map.of("file", dir.resolve("status.json").toString()));
    cfg.put("log", Map.of("file", dir.resolve("agent.log").toString()));
    Files.writeString(dir.resolve("agent.json"), Json.pretty(Json.toJson(cfg)));

    Map<String, String> env = new LinkedHashMap<>(launcher.env());
    for (String kv : System.getProperty("bench.env", "").split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(eq + 1).isBlank()) {
        env.remove(
            kv.substring(0, eq).trim()); // K= drops a launcher setting, e.g. to measure without it
      } else if (eq > 0) {
        env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    List<String> flags = new ArrayList<>(launcher.jvmFlags());
    flags.addAll(extraFlags);
    String describe = "env " + env + ", flags " + String.join(" ", flags) + ", profile " + profile;
    try (Relay relay = AgentBench.relay(keys, port);
        AgentBench.Counter counter = new AgentBench.Counter(relay)) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(flags);
      cmd.addAll(
          List.of(
              "-cp",
              // The agent's runtime jars only, as installed (bench/run-agent.sh sets it): the relay
              // and the benchmark's classes would cost the agent memory it does not have on a
              // device.
              System.getProperty("bench.agentClasspath", System.getProperty("java.class.path")),
              "io.outpost.agent.cli.Main",
              "run",
              "--config",
              dir.resolve("agent.json").toString()));
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("process.log").toFile());
      pb.environment().putAll(env);
      long start = System.nanoTime();
      Process p = pb.start();
      long pid = p.pid();
      try {
        while (counter.firstTelemetryNanos == 0
            && System.nanoTime() - start < 60e9
            && p.isAlive()) {
          Thread.sleep(5);
        }
        if (counter.firstTelemetryNanos == 0) {
          throw new IOException(
              "no telemetry within 60 s; see " + dir.resolve("process.log") + " and agent.log");
        }
        System.out.printf(
            "process: first acked telemetry %.0f ms after the process started%n",
            (counter.firstTelemetryNanos - start) / 1e6);
        // Measure from 5 s after start-up so the disk figure is the steady state.
        Thread.sleep(5_000);
        long[] io0 = AgentBench.io(pid);
        long m0 = counter.messages.get();
        long t0 = System.nanoTime();
        long deadline = t0 + seconds * 1_000_000_000L;
        long nextSample = t0 + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
          Thread.sleep(
              Math.max(1, Math.min(deadline, nextSample) - System.nanoTime()) / 1_000_000 + 1);
          if (System.nanoTime() >= nextSample && System.nanoTime() < deadline) {
            System.out.printf(
                "process: at %3.0f s  %s%n", (System.nanoTime() - start) / 1e9, memory(pid));
            nextSample += 30_000_000_000L;
          }
        }
        long[] io1 = AgentBench.io(pid);
        long msgs = Math.max(1, counter.messages.get() - m0);
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "process: %d telemetry messages in %d s (%.1f/s); per message write_bytes %.0f B, wchar %.0f B%n",
            msgs,
            seconds,
            msgs / (double) seconds,
            (io1[0] - io0[0]) / (double) msgs,
            (io1[1] - io0[1]) / (double) msgs);
        System.out.printf(
            "process: after %.0f s  %s; CPU %.1f s (%.1f%% of one core)%n",
            elapsed, memory(pid), cpuSeconds(pid), 100 * cpuSeconds(pid) / elapsed);
        System.out.printf("process: %s%n", describe);
        saveReports(pid, flags, dir);
        System.out.println("process: files in " + dir);
      } finally {
        p.destroy();
        p.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  /** VmRSS, VmHWM, RssAnon, RssFile (kB → MB as in /proc, 1 MB = 1024 kB) and the thread count. */
  static String memory(long pid) throws IOException {
    return String.format(
        "VmRSS %s, VmHWM %s, RssAnon %s, RssFile %s, threads %s",
        mb(pid, "VmRSS"),
        mb(pid, "VmHWM"),
        mb(pid, "RssAnon"),
        mb(pid, "RssFile"),
        AgentBench.status(pid, "Threads"));
  }

  private static String mb(long pid, String key) throws IOException {
    String v = AgentBench.status(pid, key);
    return String.format("%.1f MB", Long.parseLong(v.replace("kB", "").trim()) / 1024.0);
  }

  /** utime + stime from /proc/PID/stat (fields 14 and 15, after the parenthesised command name). */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;
  }

  private static void saveReports(long pid, List<String> flags, Path dir)
      throws IOException, InterruptedException {
    Files.copy(
        Path.of("/proc/" + pid + "/smaps_rollup"),
        dir.resolve("smaps_rollup.txt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        Path.of("/proc/" + pid + "/smaps"),
        dir.resolve("smaps.txt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    runTo(dir.resolve("pmap.txt"), "pmap", "-x", Long.toString(pid));
    if (flags.stream().anyMatch(f -> f.startsWith("-XX:NativeMemoryTracking="))) {
      String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
      runTo(dir.resolve("nmt.txt"), jcmd, Long.toString(pid), "VM.native_memory", "summary");
    }
  }

  private static void runTo(Path file, String... cmd) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(file.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      System.out.println("process: could not run " + cmd[0] + ": " + e.getMessage());
    }
  }
}
