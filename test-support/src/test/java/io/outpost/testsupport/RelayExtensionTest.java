package io.outpost.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RelayExtensionTest {

  /** Stands in for a relay: something listening on the port it is given. */
  record Listener(ServerSocket socket) implements AutoCloseable {
    static Listener on(int port) throws IOException {
      return new Listener(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static final List<Integer> STARTS = new ArrayList<>();

  @RegisterExtension
  final RelayExtension<Listener> relay =
      RelayExtension.of(
          port -> {
            STARTS.add(port);
            return Listener.on(port);
          });

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void theRelayRunsDuringTheTestAndComesBackOnTheSamePort() throws Exception {
    assertThat(relay.relay().socket().getLocalPort()).isEqualTo(relay.port());
    assertThat(accepts(relay.port())).isTrue();
    assertThat(relay.origin()).hasToString("ws://127.0.0.1:" + relay.port());

    relay.stop();
    assertThat(accepts(relay.port())).isFalse();
    relay.start();
    assertThat(accepts(relay.port())).isTrue();
    assertThat(STARTS).endsWith(relay.port(), relay.port());
  }
}
