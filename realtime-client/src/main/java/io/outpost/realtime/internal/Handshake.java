package io.outpost.realtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;

/**
 * The client side of the RFC 6455 opening handshake: writes the HTTP/1.1 upgrade request and checks
 * the server's answer. Exceptions never carry the request target (its query holds the credential).
 */
final class Handshake {

  /** The server answered the upgrade with something other than 101. */
  static final class RejectedException extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;

    RejectedException(int status) {
      super("HTTP " + status);
      this.status = status;
    }
  }

  /** Headers beyond this are not a WebSocket server we want to talk to. */
  private static final int MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final String key;

  Handshake(Random random) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    this.key = Base64.getEncoder().encodeToString(nonce);
  }

  /** Writes the upgrade request for {@code uri} (path and query as given, e.g. /v1?token=…). */
  void writeRequest(OutputStream out, URI uri) throws IOException {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    String request =
        "GET "
            + target
            + " HTTP/1.1\r\nHost: "
            + uri.getRawAuthority()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + key
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Reads the response head from {@code in} (nothing beyond it, so frames that follow at once stay
   * in the stream) and checks it: 101, {@code Upgrade: websocket}, {@code Connection: Upgrade}, the
   * expected {@code Sec-WebSocket-Accept}, no extension or subprotocol we did not offer.
   */
  void readResponse(InputStream in) throws IOException {
    String[] lines = readHead(in).split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response to the upgrade");
    }
    int code;
    try {
      code = Integer.parseInt(status[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP response to the upgrade");
    }
    if (code != 101) {
      throw new RejectedException(code);
    }
    String upgrade = null;
    String connection = null;
    String accept = null;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      switch (name) {
        case "upgrade" -> upgrade = value;
        case "connection" -> connection = value;
        case "sec-websocket-accept" -> accept = value;
        case "sec-websocket-extensions", "sec-websocket-protocol" ->
            throw new IOException("the upgrade response selects " + name + " we did not offer");
        default -> {}
      }
    }
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      throw new IOException("the upgrade response lacks Upgrade: websocket");
    }
    if (connection == null || !hasToken(connection, "upgrade")) {
      throw new IOException("the upgrade response lacks Connection: Upgrade");
    }
    if (!expectedAccept().equals(accept)) {
      throw new IOException("the upgrade response has a wrong Sec-WebSocket-Accept");
    }
  }

  String expectedAccept() {
    return accept(key);
  }

  /** base64(SHA-1(key + GUID)), RFC 6455 §4.2.2. */
  static String accept(String key) {
    try {
      return Base64.getEncoder()
          .encodeToString(
              MessageDigest.getInstance("SHA-1")
                  .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }

  private static boolean hasToken(String header, String token) {
    for (String part : header.split(",")) {
      if (part.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }

  /** The bytes up to the blank line, read one at a time (the stream is buffered). */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder(256);
    int matched = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the server closed the connection during the upgrade");
      }
      if (head.length() >= MAX_RESPONSE_HEAD_BYTES) {
        throw new IOException("the upgrade response head is over " + MAX_RESPONSE_HEAD_BYTES);
      }
      head.append((char) b);
      if (b == '\r') {
        matched = matched == 2 ? 3 : 1;
      } else {
        matched = b == '\n' && (matched == 1 || matched == 3) ? matched + 1 : 0;
      }
      if (matched == 4) {
        return head.substring(0, head.length() - 4);
      }
    }
  }
}
