package io.outpost.testsupport;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A byte-level RFC 6455 client that checks every frame the relay sends instead of trusting a
 * library to cope: FIN set, no RSV bits, unmasked, a known opcode, the shortest length encoding,
 * control frames at most 125 bytes, and text that is valid UTF-8. Any violation is an {@link
 * AssertionError}. It reads only when asked, so a test can play a subscriber that stops reading.
 * One reader thread; writes are synchronized.
 *
 * <p>It is also the load generator of the relay benchmarks: a blocking socket with no decoding
 * beyond what is asked costs far less CPU than the relay it measures ({@link #readData()} skips the
 * UTF-8 decoding; {@link #textFrame} frames are built once and written many times).
 */
public final class StrictWsClient implements AutoCloseable {
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** One frame as received; {@code text} is set for text frames. */
  public record Frame(int opcode, byte[] payload, String text) {
    /** The close code of a close frame. */
    public int closeCode() {
      return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }
  }

  /**
   * The stream ended inside a frame: the relay dropped the socket mid-write (not a framing error).
   */
  public static final class Truncated extends IOException {
    private static final long serialVersionUID = 1L;

    Truncated(String what) {
      super(what);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private StrictWsClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  /**
   * Connects and upgrades {@code uri} ({@code ws://127.0.0.1:PORT/v1?token=…}); {@code
   * receiveBuffer} &gt; 0 shrinks the socket's receive buffer (set before connecting, so the TCP
   * window stays small).
   */
  public static StrictWsClient connect(URI uri, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
    s.setSoTimeout(10_000); // every read has a deadline
    StrictWsClient c = new StrictWsClient(s);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request =
        "GET "
            + uri.getRawPath()
            + "?"
            + uri.getRawQuery()
            + " HTTP/1.1\r\nHost: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\n\r\n";
    c.write(request.getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
      int b = c.in.read();
      if (b < 0) {
        throw new EOFException("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head);
    }
    return c;
  }

  /** Reads one frame; null at a clean end of stream (between frames). */
  public Frame read() throws IOException {
    return read(true);
  }

  private Frame read(boolean decode) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = readByte();
    if ((b0 & 0x80) == 0) {
      throw new AssertionError("fragmented frame (FIN not set): " + Integer.toHexString(b0));
    }
    if ((b0 & 0x70) != 0) {
      throw new AssertionError("RSV bits set: " + Integer.toHexString(b0));
    }
    if ((b1 & 0x80) != 0) {
      throw new AssertionError("server frame is masked");
    }
    int opcode = b0 & 0x0f;
    if (opcode != TEXT && opcode != BINARY && opcode != CLOSE && opcode != PING && opcode != PONG) {
      throw new AssertionError("unexpected opcode " + opcode);
    }
    long length = b1 & 0x7f;
    if (length == 126) {
      length = (readByte() << 8) | readByte();
      if (length < 126) {
        throw new AssertionError("16-bit length used for " + length + " bytes");
      }
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | readByte();
      }
      if (length <= 0xFFFF) {
        throw new AssertionError("64-bit length used for " + length + " bytes");
      }
    }
    if (opcode >= CLOSE && length > 125) {
      throw new AssertionError("control frame of " + length + " bytes");
    }
    if (length > 1 << 20) {
      throw new AssertionError("implausible frame length " + length);
    }
    byte[] payload = in.readNBytes((int) length);
    if (payload.length < length) {
      throw new Truncated(
          "stream ended after " + payload.length + " of " + length + " payload bytes");
    }
    String text = null;
    if (opcode == TEXT && decode) {
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(payload))
                .toString();
      } catch (CharacterCodingException e) {
        throw new AssertionError("text frame is not valid UTF-8", e);
      }
    }
    return new Frame(opcode, payload, text);
  }

  /**
   * Reads frames, skipping pings and pongs, until a text frame; fails on close or end of stream.
   */
  public String nextText() throws IOException {
    for (Frame f; (f = read()) != null; ) {
      if (f.opcode() == TEXT) {
        return f.text();
      }
      if (f.opcode() == CLOSE) {
        throw new AssertionError("closed with " + f.closeCode());
      }
    }
    throw new EOFException("stream ended");
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new Truncated("stream ended inside a frame header");
    }
    return b;
  }

  /**
   * The payload of the next data frame, checked but not decoded; pings are answered on the way (so
   * the relay's liveness check stays happy); {@code null} at a close frame or the end of the
   * stream.
   */
  public byte[] readData() throws IOException {
    for (Frame f; (f = read(false)) != null; ) {
      if (f.opcode() == TEXT || f.opcode() == BINARY) {
        return f.payload();
      }
      if (f.opcode() == CLOSE) {
        return null;
      }
      if (f.opcode() == PING) {
        write(frame(0x8A, f.payload()));
      }
    }
    return null;
  }

  /** Sets the read deadline; 0 waits forever (idle load generators). Default 10 s. */
  public StrictWsClient readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
    return this;
  }

  public void sendText(String text) throws IOException {
    write(textFrame(text));
  }

  public void sendPing(byte[] payload) throws IOException {
    write(frame(0x89, payload));
  }

  /** Writes {@code bytes} as they are (for frames built by hand). */
  public void writeRaw(byte[] bytes) throws IOException {
    write(bytes);
  }

  public void sendClose(int code) throws IOException {
    write(frame(0x88, new byte[] {(byte) (code >> 8), (byte) code}));
  }

  /** A masked text frame carrying {@code text}, ready to be written (possibly many at once). */
  public static byte[] textFrame(String text) {
    return frame(0x81, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A masked client frame (clients must mask) with first byte {@code b0} (FIN, RSV, opcode) around
   * {@code payload}, for tests that need exact framing.
   */
  public static byte[] frame(int b0, byte[] payload) {
    int n = payload.length;
    int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    byte[] f = new byte[header + 4 + n];
    f[0] = (byte) b0;
    if (n < 126) {
      f[1] = (byte) (0x80 | n);
    } else if (n <= 0xFFFF) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (n >> 8);
      f[3] = (byte) n;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) n >> (56 - 8 * i));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    System.arraycopy(mask, 0, f, header, 4);
    for (int i = 0; i < n; i++) {
      f[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return f;
  }

  /** Writes raw bytes, e.g. several {@link #textFrame}s at once. */
  public synchronized void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
