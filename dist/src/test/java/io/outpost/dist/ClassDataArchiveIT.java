package io.outpost.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data archive of the .deb, from an unpacked package: its postinst (run as dpkg runs it
 * for a JDK upgrade, with {@code DPKG_ROOT} naming the unpacked root) writes {@code
 * /var/cache/outpost/outpost.jsa}, the installed launcher {@code /usr/bin/outpost} maps it, leaves
 * it out once it is stale, and a dump that fails leaves nothing and fails nothing.
 */
@Timeout(120)
class ClassDataArchiveIT {
  private static final String MAIN = "io.outpost.agent.cli.Main";
  private static Path deb;

  @BeforeAll
  static void findPackage() throws IOException {
    Path dir = Path.of(System.getProperty("outpost.deb.dir", "target"));
    try (Stream<Path> files = Files.list(dir)) {
      deb =
          files
              .filter(p -> p.getFileName().toString().matches("outpost_.*_amd64\\.deb"))
              .findFirst()
              .orElseThrow();
    }
  }

  @Test
  void postinstWritesTheArchiveAndTheLauncherMapsItWhileItIsValid(@TempDir Path root)
      throws Exception {
    unpack(root);
    assertThat(Files.readString(root.resolve("DEBIAN/triggers")))
        .as("a JDK upgrade runs postinst triggered")
        .contains("interest-noawait /usr/lib/jvm");

    Result postinst = postinst(root, Map.of());
    assertThat(postinst.exitCode).as(postinst.output).isZero();
    Path archive = root.resolve("var/cache/outpost/outpost.jsa");
    assertThat(Files.size(archive)).as("archive size").isGreaterThan(5L * 1024 * 1024);
    assertThat(root.resolve("var/cache/outpost/outpost.jsa.sig")).isNotEmptyFile();
    // What the class list names that this JDK or these jars lack is only a warning in the log.
    assertThat(root.resolve("var/cache/outpost/outpost.jsa.log")).exists();

    // The agent's own classes come from the archive, and so do the JDK's.
    String loaded = launcher(root, Map.of("OUTPOST_JAVA_OPTS", "-Xlog:class+load=info"));
    assertThat(sourceOf(loaded, MAIN)).isEqualTo("shared objects file");
    assertThat(sourceOf(loaded, "java.lang.Object")).isEqualTo("shared objects file");

    // A jar changed since the dump: a JVM given that archive would share nothing at all, not
    // even the JDK's own archive...
    Path jar = agentJar(root);
    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 3_600_000));
    String stale =
        run(
                List.of(
                    javaBin(),
                    "-XX:SharedArchiveFile=" + archive,
                    "-Xlog:class+load=info",
                    "-cp",
                    root.resolve("usr/share/outpost/lib") + "/*",
                    MAIN,
                    "version"),
                Map.of())
            .output;
    assertThat(sourceOf(stale, "java.lang.Object")).isEqualTo("jrt:/java.base");
    // ...so the launcher leaves it out and the JDK's default archive still serves the JDK classes.
    String without = launcher(root, Map.of("OUTPOST_JAVA_OPTS", "-Xlog:class+load=info"));
    assertThat(sourceOf(without, "java.lang.Object")).isEqualTo("shared objects file");
    assertThat(sourceOf(without, MAIN)).startsWith("file:").endsWith(".jar");

    // The next dump (here: the trigger again) makes it valid for the changed jar.
    assertThat(postinst(root, Map.of()).exitCode).isZero();
    assertThat(sourceOf(launcher(root, Map.of("OUTPOST_JAVA_OPTS", "-Xlog:class+load=info")), MAIN))
        .isEqualTo("shared objects file");
    // OUTPOST_CDS=off leaves it out (and the agent, which reads OUTPOST_* variables as
    // configuration, never sees the variable: `version` would not care, `check` would).
    Map<String, String> off =
        Map.of("OUTPOST_CDS", "off", "OUTPOST_JAVA_OPTS", "-Xlog:class+load=info");
    assertThat(sourceOf(launcher(root, off), MAIN)).startsWith("file:");
    Path config =
        Files.writeString(
            root.resolve("agent.json"),
            "{\"device\": {\"id\": \"pi-cds\"}, \"profile\": \"simulated\", \"network\": {\"url\":"
                + " \"ws://127.0.0.1:9\", \"token\": {\"value\": \"t\"}}, \"stateDir\": \""
                + root.resolve("state")
                + "\"}");
    Result check =
        run(
            List.of(
                root.resolve("usr/bin/outpost").toString(), "check", "--config", config.toString()),
            Map.of("OUTPOST_CDS", "off"));
    assertThat(check.output).contains("configuration is valid");
  }

  @Test
  void aFailingDumpFailsNeitherTheInstallNorTheAgentAndLeavesNoStaleArchive(@TempDir Path root)
      throws Exception {
    unpack(root);
    assertThat(postinst(root, Map.of()).exitCode).isZero();
    Path archive = root.resolve("var/cache/outpost/outpost.jsa");
    assertThat(archive).exists();

    // A JVM that cannot start (as in a chroot without /proc): the dump fails, the script does not.
    Path broken = root.resolve("broken-jdk/bin/java");
    Files.createDirectories(broken.getParent());
    Files.writeString(
        broken, "#!/bin/sh\necho 'Error occurred during initialization of VM' >&2\nexit 1\n");
    broken.toFile().setExecutable(true);
    Result failed = postinst(root, Map.of("JAVA_HOME", root.resolve("broken-jdk").toString()));
    assertThat(failed.exitCode).as(failed.output).isZero();
    assertThat(failed.output)
        .contains("could not write the class-data archive")
        .contains("Error occurred during initialization of VM");
    assertThat(archive).doesNotExist();
    assertThat(root.resolve("var/cache/outpost/outpost.jsa.sig")).doesNotExist();

    String loaded = launcher(root, Map.of("OUTPOST_JAVA_OPTS", "-Xlog:class+load=info"));
    assertThat(loaded).contains("outpost 0.");
    assertThat(sourceOf(loaded, MAIN)).startsWith("file:");
  }

  @Test
  void theClassListNamesOnlyJdkAndRuntimeJarClasses(@TempDir Path root) throws Exception {
    unpack(root);
    List<String> classes =
        Files.readAllLines(root.resolve("usr/share/outpost/outpost.classlist")).stream()
            .filter(l -> !l.startsWith("#") && !l.startsWith("@") && !l.isBlank())
            .map(l -> l.split(" ")[0])
            .toList();
    assertThat(classes).hasSizeGreaterThan(1000).contains("io/outpost/agent/cli/Main");
    // Development tools, the relay, benchmarks and tests are never on the agent's class path.
    assertThat(classes)
        .noneMatch(
            c ->
                c.startsWith("io/outpost/relay/")
                    || c.startsWith("io/outpost/devtools/")
                    || c.startsWith("io/outpost/bench/")
                    || c.startsWith("org/glassfish/")
                    || c.startsWith("org/junit/")
                    || c.startsWith("org/assertj/")
                    || c.endsWith("Test")
                    || c.endsWith("IT"));
    assertThat(Files.readString(root.resolve("DEBIAN/postrm")))
        .contains("rm -rf /var/cache/outpost");
  }

  private static void unpack(Path root) throws Exception {
    assertThat(run(List.of("dpkg-deb", "--extract", deb.toString(), root.toString()), Map.of()))
        .extracting(Result::exitCode)
        .isEqualTo(0);
    assertThat(
            run(
                List.of("dpkg-deb", "--control", deb.toString(), root.resolve("DEBIAN").toString()),
                Map.of()))
        .extracting(Result::exitCode)
        .isEqualTo(0);
  }

  /** postinst as dpkg runs it when a JDK under /usr/lib/jvm changed, for the package under root. */
  private static Result postinst(Path root, Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("DPKG_ROOT", root.toString());
    return run(
        List.of(root.resolve("DEBIAN/postinst").toString(), "triggered", "/usr/lib/jvm"), all);
  }

  /** {@code outpost version} through the package's launcher; its output. */
  private static String launcher(Path root, Map<String, String> env) throws Exception {
    Result r = run(List.of(root.resolve("usr/bin/outpost").toString(), "version"), env);
    assertThat(r.exitCode).as(r.output).isZero();
    return r.output;
  }

  private static Path agentJar(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("usr/share/outpost/lib"))) {
      return s.filter(p -> p.getFileName().toString().startsWith("outpost-agent-"))
          .findFirst()
          .orElseThrow();
    }
  }

  /** Where -Xlog:class+load says the class came from. */
  private static String sourceOf(String log, String className) {
    String marker = "] " + className + " source: ";
    return log.lines()
        .filter(l -> l.contains(marker))
        .map(l -> l.substring(l.indexOf(marker) + marker.length()).trim())
        .findFirst()
        .orElseThrow(() -> new AssertionError(className + " not loaded:\n" + log));
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private record Result(int exitCode, String output) {}

  /**
   * Runs a command with the java of this test first on the PATH (so cds-dump and the launcher use
   * the same JVM) and no JAVA_HOME unless env sets one.
   */
  private static Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("OUTPOST_JAVA_OPTS");
    pb.environment()
        .put(
            "PATH",
            Path.of(System.getProperty("java.home"), "bin")
                + ":"
                + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
