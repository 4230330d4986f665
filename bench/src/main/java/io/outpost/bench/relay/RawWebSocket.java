package io.outpost.bench.relay;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately minimal RFC 6455 client over a blocking socket, so that the load generator costs
 * far less CPU than the relay it measures (the JDK's WebSocket decodes every frame into characters
 * and schedules callbacks). Not thread-safe: one reader thread, one writer thread at most.
 */
final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.socket.setTcpNoDelay(true);
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to {@code 127.0.0.1:port} and upgrades {@code pathAndQuery} (e.g. {@code
   * /v1?token=…}).
   */
  static RawWebSocket connect(int port, String pathAndQuery) throws IOException {
    RawWebSocket ws = new RawWebSocket(new Socket("127.0.0.1", port));
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request =
        "GET "
            + pathAndQuery
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\n\r\n";
    ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
      int b = ws.in.read();
      if (b < 0) {
        throw new EOFException("relay closed the connection during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head.toString().lines().findFirst().orElse(""));
    }
    return ws;
  }

  /** A masked text frame carrying {@code text}, ready to be written (possibly many at once). */
  static byte[] textFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int headerLength = payload.length < 126 ? 2 : payload.length < 65536 ? 4 : 10;
    byte[] frame = new byte[headerLength + 4 + payload.length];
    frame[0] = (byte) 0x81;
    if (payload.length < 126) {
      frame[1] = (byte) (0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (payload.length >> 8);
      frame[3] = (byte) payload.length;
    } else {
      frame[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) ((long) payload.length >> (56 - 8 * i));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    System.arraycopy(mask, 0, frame, headerLength, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[headerLength + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return frame;
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void sendText(String text) throws IOException {
    write(textFrame(text));
  }

  /**
   * Reads the next data frame's payload (unmasked, as a server sends it); null when the socket
   * closes.
   */
  byte[] readFrame() throws IOException {
    while (true) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        return null;
      }
      long length = b1 & 0x7f;
      if (length == 126) {
        length = (in.read() << 8) | in.read();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | in.read();
        }
      }
      byte[] payload = in.readNBytes((int) length);
      int opcode = b0 & 0x0f;
      if (opcode == 0x8) {
        return null;
      }
      if (opcode == 0x9) {
        // answer pings so the relay's idle check stays happy
        byte[] pong = new byte[6 + payload.length];
        pong[0] = (byte) 0x8A;
        pong[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, pong, 6, payload.length);
        synchronized (this) {
          out.write(pong);
          out.flush();
        }
        continue;
      }
      if (opcode == 0x1 || opcode == 0x2) {
        return payload;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
