package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code outpost relay} command line. */
@Timeout(30)
class RelayMainTest {
  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(AtomicReference<Relay> started, String... args) {
    return RelayMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        started == null ? r -> {} : started::set);
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run(null, "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("usage: outpost relay [--listen HOST:PORT]");
  }

  @Test
  void unknownOptionsAndBadValuesAreUsageErrors() {
    assertThat(run(null, "--port", "1")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("relay: unknown option \"--port\"\nusage:");
    err.reset();
    assertThat(run(null, "--listen", "localhost")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("relay: --listen: \"localhost\" is not HOST:PORT");
    err.reset();
    assertThat(run(null, "--keys")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("relay: --keys needs a value");
  }

  @Test
  void aBadKeysFileIsOneLineAndExit2() throws Exception {
    Path keys = dir.resolve("keys.json");
    Files.writeString(keys, "{\"keys\": [{\"id\": \"pk_x\"}]}");

    assertThat(run(null, "--keys", keys.toString(), "--listen", "127.0.0.1:0")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "relay: "
                + keys
                + ": keys[0] (\"pk_x\"): channelPatterns: expected a non-empty array of strings, got nothing (the field is"
                + " missing)\n");
  }

  @Test
  void startsWithAKeysFile() throws Exception {
    Path keys = dir.resolve("keys.json");
    Files.writeString(keys, RelayTestSupport.KEYS_JSON);
    AtomicReference<Relay> started = new AtomicReference<>();

    assertThat(run(started, "--keys", keys.toString(), "--listen", "127.0.0.1:0")).isZero();

    try (Relay relay = started.get()) {
      assertThat(relay.secretKey().id()).isEqualTo("sk_id_test");
      assertThat(relay.port()).isPositive();
    }
  }

  @Test
  void aTakenPortIsExit1() throws Exception {
    Path keys = dir.resolve("keys.json");
    Files.writeString(keys, RelayTestSupport.KEYS_JSON);
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThat(
              run(null, "--keys", keys.toString(), "--listen", "127.0.0.1:" + taken.getLocalPort()))
          .isEqualTo(1);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("relay: binding 127.0.0.1:");
  }

  @Test
  void parsesListenAddresses() {
    assertThat(RelayMain.parseListen("127.0.0.1:8787").getPort()).isEqualTo(8787);
    assertThat(RelayMain.parseListen("[::1]:0").getAddress().isLoopbackAddress()).isTrue();
    assertThat(RelayMain.parseListen("127.0.0.1:99999")).isNull();
    assertThat(RelayMain.parseListen(":80")).isNull();
    assertThat(RelayMain.parseListen("host:")).isNull();
  }
}
