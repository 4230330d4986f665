package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Metered's official JavaScript SDK ({@code @metered-ca/realtime} 1.2.0, {@code SignallingClient}
 * on Node with the {@code ws} package) against the relay. The scenarios live in {@code
 * src/test/js/scenarios.cjs}. Requires Node.js and npm on the PATH; without them these tests fail
 * rather than skip.
 */
@Timeout(120)
class SdkInteropTest extends RelayTestSupport {
  private static final Path JS = Path.of("src", "test", "js").toAbsolutePath();
  private static final String BEARER = "sk_id_test:sk_secret_test";

  @BeforeAll
  static void installSdk() throws Exception {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        fail(
            "`node --version` failed; install Node.js (18 or newer) and npm to run the SDK interop tests");
      }
    } catch (IOException e) {
      fail(
          "Node.js is not on the PATH; install Node.js (18 or newer) and npm to run the SDK interop tests",
          e);
    }
    if (!Files.isDirectory(JS.resolve("node_modules").resolve("@metered-ca").resolve("realtime"))) {
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(JS.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        if (!npm.waitFor(300, TimeUnit.SECONDS)) {
          fail("npm ci in " + JS + " did not finish within 300 s");
        }
        assertThat(npm.exitValue()).as("npm ci --no-audit --no-fund in %s", JS).isZero();
      } finally {
        npm.destroyForcibly();
      }
    }
  }

  @BeforeEach
  void start() throws Exception {
    startRelay();
  }

  /** A running scenario: its output lines as they come. */
  private static final class Scenario implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> all = new ArrayList<>();

    Scenario(String name, String origin) throws IOException {
      process =
          new ProcessBuilder("node", "scenarios.cjs", name, origin, BEARER)
              .directory(JS.toFile())
              .redirectErrorStream(true)
              .start();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException ignored) {
                  // process ended
                }
              },
              "node-" + name);
      reader.setDaemon(true);
      reader.start();
    }

    /** Waits for a line starting with {@code prefix}; fails after 30 s or when the process ends. */
    String await(String prefix) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          all.add(line);
          if (line.startsWith(prefix)) {
            return line;
          }
          if (line.startsWith("FAIL")) {
            break;
          }
        } else if (!process.isAlive() && lines.isEmpty()) {
          break;
        }
      }
      lines.drainTo(all);
      throw new AssertionError(
          "expected a line starting with \""
              + prefix
              + "\"; node printed:\n"
              + String.join("\n", all));
    }

    int exitCode() throws InterruptedException {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("node exits").isTrue();
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private void run(String name) throws Exception {
    try (Scenario s = new Scenario(name, relay.webSocketOrigin().toString())) {
      s.await("OK " + name);
      assertThat(s.exitCode()).isZero();
    }
  }

  @Test
  void restMintedTokensPubSubDirectPresenceAndSenderMetadata() throws Exception {
    run("pubsub");
  }

  @Test
  void messagesOfEveryLengthClassAndABurstArriveIntactAndInOrder() throws Exception {
    run("bulk");
  }

  @Test
  void serverErrorsRejectTheSdkPromisesWithTheirCodes() throws Exception {
    run("errors");
  }

  @Test
  void publishableKeys() throws Exception {
    run("publishable");
  }

  @Test
  void kickIsATerminal4020() throws Exception {
    run("kick");
  }

  @Test
  void tokenExpiryMakesTheSdkReconnectWithAFreshToken() throws Exception {
    run("expiry");
  }

  @Test
  void goingAwayMakesTheSdkReconnectToTheRestartedRelay() throws Exception {
    int port = relay.port();
    try (Scenario s = new Scenario("going_away", relay.webSocketOrigin().toString())) {
      s.await("READY");
      relay.shutdown();
      startRelay(b -> b.listen(new InetSocketAddress("127.0.0.1", port)));
      s.await("OK going_away");
      assertThat(s.exitCode()).isZero();
    }
  }
}
