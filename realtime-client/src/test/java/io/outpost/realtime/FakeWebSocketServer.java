package io.outpost.realtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted WebSocket server for behaviours the relay never shows: it completes the upgrade and
 * then either stays silent forever or closes with a given code. Counts upgrades.
 */
final class FakeWebSocketServer implements AutoCloseable {

  private final ServerSocket server;
  private final int closeCode;
  private final boolean welcomeFirst;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  final AtomicInteger upgrades = new AtomicInteger();

  /** {@code closeCode} 0 = accept and stay silent. */
  FakeWebSocketServer(int closeCode) throws IOException {
    this(closeCode, false);
  }

  /** With {@code welcomeFirst}, each connection gets a {@code welcome} frame before the close. */
  FakeWebSocketServer(int closeCode, boolean welcomeFirst) throws IOException {
    this.closeCode = closeCode;
    this.welcomeFirst = welcomeFirst;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "test-fake-ws");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        handle(s);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void handle(Socket s) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
    String key = null;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase().startsWith("sec-websocket-key:")) {
        key = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    OutputStream out = s.getOutputStream();
    out.write(
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: "
                + accept(key)
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    upgrades.incrementAndGet();
    if (welcomeFirst) {
      byte[] welcome =
          ("{\"type\":\"welcome\",\"peerId\":\"fake\",\"expiresAt\":null,\"serverTime\":"
                  + System.currentTimeMillis() / 1000
                  + ",\"maxMessageSize\":65536}")
              .getBytes(StandardCharsets.UTF_8);
      out.write(
          new byte[] {(byte) 0x81, (byte) welcome.length}); // unmasked text frame, length < 126
      out.write(welcome);
    }
    if (closeCode != 0) {
      // Unmasked close frame: FIN + opcode 8, payload = 2-byte code.
      out.write(new byte[] {(byte) 0x88, 2, (byte) (closeCode >> 8), (byte) closeCode});
      out.flush();
    }
  }

  private static String accept(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1")
              .digest(
                  (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                      .getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
