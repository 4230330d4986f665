package io.outpost.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb a device installs, checked the way dpkg and systemd will see it: what it contains, its
 * control fields, that the unpacked jars run the CLI, and how hardened the unit is.
 */
@Timeout(120)
class DebPackageIT {
  private static Path deb;

  @BeforeAll
  static void findPackage() throws IOException {
    Path dir = Path.of(System.getProperty("outpost.deb.dir", "target"));
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> debs =
          files.filter(p -> p.getFileName().toString().matches("outpost_.*_amd64\\.deb")).toList();
      assertThat(debs).as(".deb files in " + dir).hasSize(1);
      deb = debs.get(0);
    }
  }

  @Test
  void packageHoldsLauncherUnitConfigAndJars() throws Exception {
    String contents = run("dpkg-deb", "--contents", deb.toString()).output;

    assertThat(contents)
        .contains("./usr/bin/outpost")
        .contains("./lib/systemd/system/outpost.service")
        .contains("./usr/lib/sysusers.d/outpost.conf")
        .contains("./usr/lib/tmpfiles.d/outpost.conf")
        .contains("./etc/outpost/agent.json")
        .contains("./etc/outpost/agent.d/")
        .contains("./usr/lib/outpost/plugins/")
        .containsPattern("\\./usr/share/outpost/lib/outpost-agent-[^ ]+\\.jar")
        .containsPattern("\\./usr/share/outpost/lib/sqlite-jdbc-[^ ]+\\.jar");
    assertThat(
            contents.lines().filter(l -> l.endsWith("./usr/bin/outpost")).findFirst().orElseThrow())
        .startsWith("-rwxr-xr-x");
    // The test runner and benchmark tooling never ship to devices.
    assertThat(contents).doesNotContain("junit").doesNotContain("assertj").doesNotContain("jmh");
  }

  @Test
  void controlFieldsDeclareJavaAndKeepTheConfigAsConffile() throws Exception {
    assertThat(run("dpkg-deb", "--field", deb.toString(), "Package").output.trim())
        .isEqualTo("outpost");
    assertThat(run("dpkg-deb", "--field", deb.toString(), "Architecture").output.trim())
        .isEqualTo("amd64");
    assertThat(run("dpkg-deb", "--field", deb.toString(), "Depends").output)
        .contains("java17-runtime-headless");
  }

  @Test
  void unpackedPackageRunsTheCli(@TempDir Path root) throws Exception {
    run("dpkg-deb", "--extract", deb.toString(), root.toString());
    run("dpkg-deb", "--control", deb.toString(), root.resolve("DEBIAN").toString());
    assertThat(Files.readString(root.resolve("DEBIAN/conffiles")))
        .contains("/etc/outpost/agent.json");

    String classpath = root.resolve("usr/share/outpost/lib") + "/*";
    Result version =
        run(
            java(root, "-cp", classpath, "io.outpost.agent.cli.Main", "version")
                .toArray(String[]::new));
    assertThat(version.output).contains("outpost ");

    Result sample =
        run(
            java(
                    root,
                    "-cp",
                    classpath,
                    "io.outpost.agent.cli.Main",
                    "sample",
                    "--profile",
                    "simulated",
                    "--count",
                    "1")
                .toArray(String[]::new));
    assertThat(sample.output.lines().filter(l -> l.startsWith("{")).count())
        .isGreaterThanOrEqualTo(1);
    assertThat(sample.output).contains("\"n\"");
  }

  @Test
  void deviceClasspathHoldsNoRelayAndTheDevToolsStillRun(@TempDir Path root) throws Exception {
    run("dpkg-deb", "--extract", deb.toString(), root.toString());
    Path lib = root.resolve("usr/share/outpost/lib");
    Path libDev = root.resolve("usr/share/outpost/lib-dev");
    List<String> jars;
    try (Stream<Path> s = Files.list(lib)) {
      jars = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(jars)
        .isNotEmpty()
        .noneMatch(j -> j.startsWith("grizzly-"))
        // The realtime client has its own WebSocket transport: no Tyrus, no WebSocket API.
        .noneMatch(j -> j.startsWith("tyrus-") || j.startsWith("jakarta.websocket"))
        .noneMatch(j -> j.startsWith("outpost-relay") || j.startsWith("outpost-devtools"));
    for (String j : jars) {
      try (var zip = new java.util.zip.ZipFile(lib.resolve(j).toFile())) {
        assertThat(zip.stream().map(e -> e.getName()))
            .as("classes in " + j)
            .noneMatch(
                n -> n.startsWith("io/outpost/relay/") || n.startsWith("org/glassfish/grizzly/"));
      }
    }
    try (Stream<Path> s = Files.list(libDev)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .anyMatch(j -> j.startsWith("outpost-relay"))
          .anyMatch(j -> j.startsWith("outpost-devtools"))
          .anyMatch(j -> j.startsWith("grizzly-http-server"))
          .noneMatch(jars::contains);
    }
    // The daemon's classpath: the development tools explain that they are elsewhere.
    Process p =
        new ProcessBuilder(javaBin(), "-cp", lib + "/*", "io.outpost.agent.cli.Main", "relay")
            .redirectErrorStream(true)
            .start();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("not available here");
    assertThat(p.waitFor()).isEqualTo(1);
    // With lib-dev, as the launcher runs them, they work.
    String both = lib + "/*" + java.io.File.pathSeparator + libDev + "/*";
    assertThat(run(javaBin(), "-cp", both, "io.outpost.agent.cli.Main", "relay", "--help").output)
        .contains("--listen");
    assertThat(run(javaBin(), "-cp", both, "io.outpost.agent.cli.Main", "demo", "--help").output)
        .contains("--duration D");
  }

  @Test
  void systemdUnitIsHardenedAndVerifiesClean(@TempDir Path root) throws Exception {
    Path unit =
        Path.of(System.getProperty("outpost.repo.dir", "..")).resolve("systemd/outpost.service");
    // Exposure 0-10 as systemd-analyze prints it, times ten: 15 means "1.5" or better.
    Result security =
        run("systemd-analyze", "security", "--offline=true", "--threshold=15", unit.toString());
    assertThat(security.output).contains("Overall exposure level for outpost.service");
    // verify against the unpacked package (ExecStart must exist there) plus the host's targets.
    run("dpkg-deb", "--extract", deb.toString(), root.toString());
    Path units = root.resolve("lib/systemd/system");
    try (Stream<Path> targets = Files.list(Path.of("/lib/systemd/system"))) {
      for (Path t :
          targets
              .filter(p -> p.toString().endsWith(".target") || p.toString().endsWith(".slice"))
              .toList()) {
        Files.copy(t, units.resolve(t.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Result verify =
        run(
            "systemd-analyze",
            "verify",
            "--man=no",
            "--root=" + root,
            "/lib/systemd/system/outpost.service");
    assertThat(verify.output).as("systemd-analyze verify says nothing").isEmpty();
    String text = Files.readString(units.resolve("outpost.service"));
    assertThat(text)
        .contains("Type=notify", "WatchdogSec=", "NotifyAccess=main")
        .doesNotContain("SupplementaryGroups")
        .doesNotContain("video")
        .doesNotContain("vchiq");
    assertThat(Files.readString(root.resolve("usr/lib/sysusers.d/outpost.conf")))
        .doesNotContainPattern("(?m)^m ");
  }

  @Test
  void maintainerScriptsUseDebSystemdHelperAndTheDefaultConfigIsNotRunnable(@TempDir Path root)
      throws Exception {
    run("dpkg-deb", "--control", deb.toString(), root.resolve("DEBIAN").toString());
    String postinst = Files.readString(root.resolve("DEBIAN/postinst"));
    assertThat(postinst)
        .contains("deb-systemd-helper enable 'outpost.service'")
        .contains("deb-systemd-invoke \"$action\" 'outpost.service'")
        .doesNotContainPattern("systemctl (enable|start|restart)");
    assertThat(Files.readString(root.resolve("DEBIAN/postrm")))
        .contains("deb-systemd-helper purge 'outpost.service'")
        .contains("rm -rf /var/lib/outpost /etc/outpost")
        .contains("deluser --quiet --system outpost");

    run("dpkg-deb", "--extract", deb.toString(), root.toString());
    ProcessBuilder check =
        new ProcessBuilder(
                java(
                    root,
                    "-cp",
                    root.resolve("usr/share/outpost/lib") + "/*",
                    "io.outpost.agent.cli.Main",
                    "check",
                    "--config",
                    root.resolve("etc/outpost/agent.json").toString()))
            .redirectErrorStream(true);
    Process p = check.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isEqualTo(2);
    assertThat(out).contains("profile: \"\" is neither a bundled profile");
  }

  @Test
  void onlyThisArchitecturesNativesShipAndNoJarCarriesAny(@TempDir Path root) throws Exception {
    run("dpkg-deb", "--extract", deb.toString(), root.toString());
    try (Stream<Path> n = Files.list(root.resolve("usr/lib/outpost/native"))) {
      assertThat(n.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("libsqlitejdbc.so", "libjnidispatch.so");
    }
    try (Stream<Path> jars = Files.list(root.resolve("usr/share/outpost/lib"))) {
      for (Path j : jars.toList()) {
        try (var zip = new java.util.zip.ZipFile(j.toFile())) {
          assertThat(zip.stream().map(e -> e.getName()))
              .as("natives in " + j.getFileName())
              .noneMatch(e -> e.endsWith(".so") || e.endsWith(".dll") || e.endsWith(".dylib"));
        }
      }
    }
    assertThat(Files.size(deb)).as("package size").isLessThanOrEqualTo(6L * 1024 * 1024);
    Path other = deb.resolveSibling(deb.getFileName().toString().replace("_amd64", "_arm64"));
    assertThat(run("dpkg-deb", "--contents", other.toString()).output)
        .contains("./usr/lib/outpost/native/libsqlitejdbc.so")
        .contains("./usr/lib/outpost/native/libpi4j-gpiod.so");
  }

  @Test
  void theAgentRunsWithATmpItCannotWriteTo(@TempDir Path root) throws Exception {
    run("dpkg-deb", "--extract", deb.toString(), root.toString());
    // java.io.tmpdir is a regular file: anything that tried to extract a native would fail.
    Path tmp = Files.writeString(root.resolve("not-a-dir"), "");
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path status = root.resolve("status.json");
    Path config =
        Files.writeString(
            root.resolve("agent.json"),
            "{\"device\": {\"id\": \"pi-ro\"}, \"profile\": \"simulated\","
                + " \"network\": {\"url\": \"ws://127.0.0.1:"
                + closedPort
                + "\", \"token\": {\"value\": \"t\"}},"
                + " \"stateDir\": \""
                + root.resolve("state")
                + "\", \"status\": {\"file\": \""
                + status
                + "\", \"fileInterval\": \"200ms\"}}");
    List<String> cmd =
        java(
            root,
            "-Djava.io.tmpdir=" + tmp,
            "-XX:-UsePerfData",
            "-cp",
            root.resolve("usr/share/outpost/lib") + "/*",
            "io.outpost.agent.cli.Main",
            "run",
            "--config",
            config.toString());
    Path log = root.resolve("agent.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String s = "";
      while (System.nanoTime() < end && !s.matches("(?s).*\"messages\": [1-9].*")) {
        Thread.sleep(200);
        s = Files.exists(status) ? Files.readString(status) : "";
      }
      assertThat(s)
          .as("status file; agent log:%n%s", Files.readString(log))
          .contains("\"writable\": true")
          .containsPattern("\"messages\": [1-9]");
    } finally {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
    // The store opened with the shipped native: nothing was unpacked, nothing failed to load.
    assertThat(Files.readString(log))
        .doesNotContain("UnsatisfiedLinkError")
        .doesNotContain("cannot start");
  }

  @Test
  void lintianFindsNothing() throws Exception {
    Result l = run("lintian", "--fail-on", "error,warning", "--allow-root", deb.toString());
    assertThat(l.output.lines().filter(x -> x.matches("^[EW]: .*"))).isEmpty();
  }

  /**
   * The JVM as the installed launcher starts it: natives from /usr/lib/outpost/native (here: in the
   * unpacked package), never extracted.
   */
  private static List<String> java(Path root, String... args) {
    Path nativeDir = root.resolve("usr/lib/outpost/native");
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(javaBin());
    cmd.add("-Dorg.sqlite.lib.path=" + nativeDir);
    cmd.add("-Dorg.sqlite.lib.name=libsqlitejdbc.so");
    cmd.add("-Djna.boot.library.path=" + nativeDir);
    cmd.add("-Djna.nounpack=true");
    cmd.add("-Dpi4j.library.path=" + nativeDir);
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private record Result(int exitCode, String output) {}

  /** Runs a command, failing the test with its output when it exits non-zero. */
  private static Result run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue())
        .as(String.join(" ", command) + " exit code; output:\n" + text)
        .isZero();
    return new Result(p.exitValue(), text);
  }
}
