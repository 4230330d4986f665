package io.outpost.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/plugins.md works as written: every {@code File `path`:} block of the guide is written to a
 * scratch project outside the Outpost build, the guide's install command runs on a copy of the
 * checkout into a private local repository (never the shared one; {@code -o}, with the shared
 * repository as a read-only tail for Maven's own plugins and JUnit), the guide's build command
 * builds and tests the plugin, and {@code outpost check} and {@code outpost sample} run it on the
 * guide's register image through the plugin's own chip model.
 */
class PluginGuideTest {
  private static final Path GUIDE = Path.of("../docs/plugins.md");
  private static final Path ROOT = Path.of("..");
  private static final Pattern FILE =
      Pattern.compile("(?m)^File `([^`]+)`:\\n\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);
  private static final String INSTALL = "./mvnw -B -q install -pl plugin-testkit -am -DskipTests";
  private static final String BUILD = "mvn -B -q package";

  @TempDir Path tmp;

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void aPluginBuiltFromTheGuideSamplesItsOwnRegisterImage() throws Exception {
    String guide = Files.readString(GUIDE, StandardCharsets.UTF_8);
    assertThat(guide).contains(INSTALL, BUILD, "outpost sample --config agent.json");

    Path plugin = tmp.resolve("acme-tmp102");
    Matcher m = FILE.matcher(guide);
    List<String> written = new ArrayList<>();
    while (m.find()) {
      Path f = plugin.resolve(m.group(1));
      Files.createDirectories(f.getParent());
      Files.writeString(f, m.group(2) + "\n", StandardCharsets.UTF_8);
      written.add(m.group(1));
    }
    assertThat(written)
        .contains(
            "pom.xml",
            "src/main/resources/META-INF/services/io.outpost.plugin.SensorFactory",
            "sim/tmp102.hex",
            "office.json",
            "agent.json");

    Path checkout = copyOfCheckout(tmp.resolve("outpost"));
    Path repo = tmp.resolve("m2");
    // §1, in the checkout. Offline against a private repository; the formatter check is skipped
    // only to save time (the sources are the checked ones).
    maven(
        checkout,
        checkout,
        repo,
        INSTALL.substring("./mvnw ".length()),
        "-Dspotless.check.skip=true");
    assertThat(repo.resolve("io/outpost/outpost-plugin-testkit")).isDirectory();
    // §7, in the plugin's directory, with the checkout's Maven.
    maven(checkout, plugin, repo, BUILD.substring("mvn ".length()));
    assertThat(plugin.resolve("target/acme-tmp102-plugin-1.0.0.jar")).isRegularFile();
    assertThat(plugin.resolve("target/surefire-reports")).isDirectory();
    try (Stream<Path> reports = Files.list(plugin.resolve("target/surefire-reports"))) {
      String report =
          Files.readString(
              reports.filter(p -> p.toString().endsWith("Tmp102SensorTest.txt")).findFirst().get());
      assertThat(report).contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
    }

    // §8: outpost check and outpost sample with the guide's agent.json.
    String config = plugin.resolve("agent.json").toString();
    String[] check = run("check", "--config", config);
    assertThat(check[0]).as(check[2]).isEqualTo("0");
    String[] sample = run("sample", "--config", config);
    assertThat(sample[0]).as(sample[2]).isEqualTo("0");
    assertThat(sample[1]).startsWith("{\"n\":\"desk/temperature\",\"u\":\"Cel\",\"v\":25,");
  }

  /** The root pom, the wrapper, every module's pom and the two modules §1 installs. */
  private static Path copyOfCheckout(Path to) throws IOException {
    Files.createDirectories(to);
    for (String f : List.of("pom.xml", "mvnw")) {
      Files.copy(ROOT.resolve(f), to.resolve(f));
    }
    to.resolve("mvnw").toFile().setExecutable(true);
    copyTree(ROOT.resolve(".mvn"), to.resolve(".mvn"));
    Matcher modules =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    while (modules.find()) {
      Path pom = Path.of(modules.group(1), "pom.xml");
      Files.createDirectories(to.resolve(pom).getParent());
      Files.copy(ROOT.resolve(pom), to.resolve(pom));
    }
    copyTree(ROOT.resolve("plugin-api/src/main"), to.resolve("plugin-api/src/main"));
    copyTree(ROOT.resolve("plugin-testkit/src/main"), to.resolve("plugin-testkit/src/main"));
    return to;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void maven(Path checkout, Path dir, Path repo, String args, String... extra)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(checkout.resolve("mvnw").toAbsolutePath().toString());
    cmd.addAll(List.of(args.split(" ")));
    cmd.add("-o");
    cmd.add("-Dmaven.repo.local=" + repo.toAbsolutePath());
    cmd.add(
        "-Dmaven.repo.local.tail=" + Path.of(System.getProperty("user.home"), ".m2", "repository"));
    cmd.addAll(List.of(extra));
    Path log = Files.createTempFile(repo.getParent(), "maven", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(6, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd + "\n" + Files.readString(log));
    }
    assertThat(p.exitValue()).as(cmd + " in " + dir + ":\n" + Files.readString(log)).isZero();
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
}
