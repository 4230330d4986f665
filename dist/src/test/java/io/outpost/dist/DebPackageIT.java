package io.outpost.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
          files.filter(p -> p.getFileName().toString().matches("outpost_.*_all\\.deb")).toList();
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
        .isEqualTo("all");
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
    Result version = run(javaBin(), "-cp", classpath, "io.outpost.agent.cli.Main", "version");
    assertThat(version.output).contains("outpost ");

    Result sample =
        run(
            javaBin(),
            "-cp",
            classpath,
            "io.outpost.agent.cli.Main",
            "sample",
            "--profile",
            "simulated",
            "--count",
            "1");
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
        .noneMatch(j -> j.startsWith("tyrus-server") || j.startsWith("tyrus-container-grizzly"))
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
  void systemdUnitIsHardened() throws Exception {
    Path unit =
        Path.of(System.getProperty("outpost.repo.dir", "..")).resolve("systemd/outpost.service");
    // Exposure 0-10 as systemd-analyze prints it, times ten: 20 means "2.0 OK" or better.
    Result security =
        run("systemd-analyze", "security", "--offline=true", "--threshold=20", unit.toString());
    assertThat(security.output).contains("Overall exposure level for outpost.service");
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
