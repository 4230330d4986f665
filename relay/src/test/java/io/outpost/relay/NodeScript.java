package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script from {@code src/test/js} under Node (installing its packages with {@code npm ci}
 * when missing) and returns its output lines. Node and npm must be on the PATH; without them the
 * test fails rather than skips.
 */
final class NodeScript {
  static final Path JS = Path.of("src", "test", "js").toAbsolutePath();

  private NodeScript() {}

  /** Runs {@code node script args...}; waits at most 30 s. */
  static List<String> run(String script, String... args) throws IOException, InterruptedException {
    ensurePackages();
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("node %s finished", command).isTrue();
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } finally {
      p.destroyForcibly();
    }
  }

  private static synchronized void ensurePackages() throws IOException, InterruptedException {
    if (Files.isDirectory(JS.resolve("node_modules").resolve("ws"))) {
      return;
    }
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(JS.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      assertThat(npm.waitFor(300, TimeUnit.SECONDS)).as("npm ci in %s finished", JS).isTrue();
      assertThat(npm.exitValue()).as("npm ci --no-audit --no-fund in %s", JS).isZero();
    } finally {
      npm.destroyForcibly();
    }
  }
}
