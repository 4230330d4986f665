package io.outpost.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The strict client against a scripted server that sends exactly the bytes a test gives it. */
class StrictWsClientTest {

  /** Accepts one upgrade, answers 101, writes {@code frames}, and returns what the client sent. */
  private static CompletableFuture<byte[]> serve(ServerSocket server, byte[] frames) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
              head.append((char) in.read());
            }
            OutputStream out = s.getOutputStream();
            out.write(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(frames);
            out.flush();
            s.setSoTimeout(2_000);
            return in.readNBytes(6 + 2); // one small masked frame from the client, if any
          } catch (IOException e) {
            return new byte[0];
          }
        });
  }

  private static StrictWsClient connect(ServerSocket server) throws IOException {
    return StrictWsClient.connect(
        URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/v1?token=t"), 0);
  }

  @Test
  void readsWellFormedTextAndAnswersPingsWhenReadingData() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      byte[] frames = {(byte) 0x89, 2, 'h', 'i', (byte) 0x81, 2, 'o', 'k'};
      CompletableFuture<byte[]> sent = serve(server, frames);
      try (StrictWsClient c = connect(server)) {
        assertThat(new String(c.readData(), StandardCharsets.UTF_8)).isEqualTo("ok");
      }
      byte[] pong = sent.get();
      assertThat(pong[0] & 0xff).isEqualTo(0x8A);
      assertThat(pong[1] & 0x80).as("client frames are masked").isEqualTo(0x80);
    }
  }

  @Test
  void aLongerLengthEncodingThanNeededIsAnAssertionError() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serve(server, new byte[] {(byte) 0x81, 126, 0, 2, 'o', 'k'});
      try (StrictWsClient c = connect(server)) {
        assertThatThrownBy(c::read)
            .isInstanceOf(AssertionError.class)
            .hasMessage("16-bit length used for 2 bytes");
      }
    }
  }

  @Test
  void invalidUtf8InATextFrameIsAnAssertionError() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serve(server, new byte[] {(byte) 0x81, 1, (byte) 0xC3});
      try (StrictWsClient c = connect(server)) {
        assertThatThrownBy(c::nextText).hasMessage("text frame is not valid UTF-8");
      }
    }
  }
}
