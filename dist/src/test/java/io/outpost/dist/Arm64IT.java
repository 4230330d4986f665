package io.outpost.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arm64 package's contents on Debian's aarch64 Java 17 under qemu-aarch64-static: the CLI, a
 * bundled simulated profile, and a 20-second {@code outpost run} against a real relay that stores
 * in SQLite with the package's aarch64 native and gets its telemetry acked; and the class-data
 * archive dumped and mapped by that JVM.
 */
@Timeout(300)
class Arm64IT {
  private static Path sysroot;
  private static Path pkg;

  @BeforeAll
  static void unpack(@TempDir Path dir) throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/qemu-aarch64-static")),
        "qemu-aarch64-static is not installed (scripts/test installs qemu-user-static)");
    Path target = Path.of(System.getProperty("outpost.deb.dir", "target"));
    Path cache = target.resolve("arm64-jre");
    Path script =
        Path.of(System.getProperty("outpost.repo.dir", ".."), "dist/src/test/sh/arm64-jre.sh");
    exec(List.of("sh", script.toString(), cache.toString()), 240);
    sysroot = cache.resolve("root");
    Path deb;
    try (Stream<Path> s = Files.list(target)) {
      deb =
          s.filter(p -> p.getFileName().toString().matches("outpost_.*_arm64\\.deb"))
              .findFirst()
              .orElseThrow();
    }
    pkg = dir.resolve("pkg");
    exec(List.of("dpkg-deb", "--extract", deb.toString(), pkg.toString()), 60);
  }

  /** {@code outpost ARGS} as /usr/bin/outpost starts it, on the aarch64 JVM. */
  private static List<String> outpost(String... args) {
    Path nativeDir = pkg.resolve("usr/lib/outpost/native");
    List<String> cmd =
        aarch64Java(
            "-XX:+UseSerialGC",
            "-Xmx64m",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData",
            "-Dorg.sqlite.lib.path=" + nativeDir,
            "-Dorg.sqlite.lib.name=libsqlitejdbc.so",
            "-Djna.boot.library.path=" + nativeDir,
            "-Djna.nounpack=true",
            "-Dpi4j.library.path=" + nativeDir,
            "-cp",
            pkg.resolve("usr/share/outpost/lib") + "/*",
            "io.outpost.agent.cli.Main");
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Debian's aarch64 java with ARGS, under qemu-aarch64-static. */
  private static List<String> aarch64Java(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/qemu-aarch64-static",
                "-L",
                sysroot.toString(),
                sysroot.resolve("usr/lib/jvm/java-17-openjdk-arm64/bin/java").toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Test
  void runVersionCheckAndSampleOnAarch64(@TempDir Path dir) throws Exception {
    try (Relay relay =
        Relay.start(
            RelaySettings.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .keys(RelayKeys.development())
                .build())) {
      String bearer = relay.secretKey().id() + ":" + relay.secretKey().secret();
      Path status = dir.resolve("status.json");
      Path cfg =
          Files.writeString(
              dir.resolve("agent.json"),
              "{\"device\": {\"id\": \"pi-arm64\", \"fleet\": \"lab\"}, \"profile\":"
                  + " \"greenhouse-sim\", \"network\": {\"url\": \""
                  + relay.webSocketOrigin()
                  + "\", \"token\": {\"url\": \""
                  + relay.httpBase()
                  + "/tokens\", \"bearer\": {\"value\": \""
                  + bearer
                  + "\"}}}, \"stateDir\": \""
                  + dir.resolve("state")
                  + "\", \"status\": {\"file\": \""
                  + status
                  + "\", \"fileInterval\": \"1s\"}}");
      Path log = dir.resolve("agent.log");
      Process p =
          new ProcessBuilder(outpost("run", "--config", cfg.toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      long started = System.nanoTime();
      String maps = "";
      try {
        // While the agent runs its 20 s (JVMs under qemu start slowly, so these share the time):
        versionCheckAndSample(dir);
        Thread.sleep(Math.max(0, 20_000 - (System.nanoTime() - started) / 1_000_000));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // The JVM under qemu starts slowly: wait (bounded) for the first ack after the 20 s.
        while (System.nanoTime() < end && !acked(status)) {
          Thread.sleep(500);
        }
        maps = Files.readString(Path.of("/proc/" + p.pid() + "/maps"));
      } finally {
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
        p.destroyForcibly();
      }
      String s = Files.exists(status) ? Files.readString(status) : "(no status file)";
      assertThat(acked(status)).as("status: %s%nlog: %s", s, Files.readString(log)).isTrue();
      assertThat(s).contains("\"durable\": true").contains("\"writable\": true");
      assertThat(maps)
          .as("the aarch64 SQLite native from the package is loaded")
          .contains(pkg.resolve("usr/lib/outpost/native/libsqlitejdbc.so").toString());
      assertThat(Files.readString(log)).contains("outpost agent stopped");
      assertThat(Files.readString(log)).doesNotContain("UnsatisfiedLinkError");
    }
  }

  /**
   * The class-data archive is made on the device by its own JVM (cds-dump, from the package's class
   * list): the aarch64 JVM dumps it and maps it, and the agent's classes come from it.
   */
  @Test
  void theClassDataArchiveDumpsAndMapsOnAarch64(@TempDir Path dir) throws Exception {
    Path archive = dir.resolve("outpost.jsa");
    exec(
        aarch64Java(
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "-Xshare:dump",
            "-XX:SharedClassListFile=" + pkg.resolve("usr/share/outpost/outpost.classlist"),
            "-XX:SharedArchiveFile=" + archive,
            "-cp",
            pkg.resolve("usr/share/outpost/lib") + "/*"),
        180);
    assertThat(Files.size(archive)).isGreaterThan(5L * 1024 * 1024);
    // -Xshare:on: a JVM that cannot map the archive fails instead of running without it.
    List<String> version = outpost("version");
    version.addAll(
        version.indexOf("-XX:+UseSerialGC"),
        List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info"));
    assertThat(exec(version, 120))
        .contains("io.outpost.agent.cli.Main source: shared objects file")
        .contains("aarch64");
  }

  private static void versionCheckAndSample(Path dir) throws Exception {
    assertThat(exec(outpost("version"), 120)).contains("outpost 0.").contains("aarch64");
    Path cfg =
        Files.writeString(
            dir.resolve("check.json"),
            "{\"device\": {\"id\": \"pi-arm64\"}, \"profile\": \"greenhouse-sim\","
                + " \"network\": {\"url\": \"ws://127.0.0.1:9\", \"token\": {\"value\": \"t\"}},"
                + " \"stateDir\": \""
                + dir.resolve("check-state")
                + "\"}");
    assertThat(exec(outpost("check", "--config", cfg.toString()), 120))
        .contains("configuration is valid");
    String sample = exec(outpost("sample", "--profile", "greenhouse-sim", "--count", "1"), 120);
    assertThat(sample.lines().filter(l -> l.startsWith("{"))).isNotEmpty();
  }

  private static boolean acked(Path status) throws IOException {
    if (!Files.exists(status)) {
      return false;
    }
    String s = Files.readString(status);
    return s.matches("(?s).*\"acked\": [1-9].*") && s.contains("\"lastAckAt\": \"");
  }

  private static String exec(List<String> cmd, int seconds) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + text).isZero();
    return text;
  }
}
