package io.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Node scripts the end-to-end tests run as peers: {@code src/test/js} talks to a relay through
 * Metered's JS SDK. Fails, not skips, without Node or npm.
 */
public final class NodeScripts {
  /** The SDK peers' directory (its own package.json and lock file). */
  public static final Path SDK_DIR = Path.of("src", "test", "js");

  private NodeScripts() {}

  /** Installs the SDK from the lock file unless an earlier test already did. */
  public static void installSdk() throws Exception {
    if (!Files.isDirectory(SDK_DIR.resolve("node_modules/@metered-ca/realtime"))) {
      npmCi(SDK_DIR, Duration.ofSeconds(120));
    }
  }

  /**
   * {@code npm ci} in {@code dir}, its output in {@code target/npm-ci-<dir name>.log}; fails the
   * test if it does not finish within {@code timeout} or exits non-zero.
   */
  public static void npmCi(Path dir, Duration timeout) throws Exception {
    File log = new File("target/npm-ci-" + dir.getFileName() + ".log");
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log)
            .start();
    if (!npm.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      npm.destroyForcibly();
      fail("npm ci in " + dir + " did not finish within " + timeout.toSeconds() + " s");
    }
    assertThat(npm.exitValue()).as("npm ci exit code in %s (see %s)", dir, log).isZero();
  }

  /**
   * Starts {@code node <script> <args...>} in {@link #SDK_DIR} with {@code token} as its {@code
   * OUTPOST_TOKEN}; its stderr goes to {@code target/<script without .cjs>.err}.
   */
  public static Process startSdkPeer(String script, String token, String... args) throws Exception {
    String[] command = new String[args.length + 2];
    command[0] = "node";
    command[1] = script;
    System.arraycopy(args, 0, command, 2, args.length);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(SDK_DIR.toFile())
            .redirectError(new File("target/" + script.replaceFirst("\\.cjs$", "") + ".err"));
    pb.environment().put("OUTPOST_TOKEN", token);
    return pb.start();
  }
}
