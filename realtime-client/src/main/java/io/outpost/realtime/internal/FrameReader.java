package io.outpost.realtime.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads RFC 6455 frames from a server: reassembles fragmented text messages up to a size limit,
 * decodes them as strict UTF-8, and reports control frames. Anything a server must not send ends
 * the read with a {@link ProtocolException} carrying the close code to answer with. Binary messages
 * are read and dropped (the protocol is text only).
 */
final class FrameReader {

  /** The server broke the protocol; {@link #code} is what the client closes with. */
  static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;
    final int code;

    ProtocolException(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** What a frame meant; called on the reading thread. */
  interface Handler {
    void text(String message);

    void binaryDropped(long bytes);

    void ping(byte[] payload);

    /** A close frame: {@code code} 1005 when it carried none. */
    void close(int code, String reason);
  }

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  private static final int NONE = -1;

  private final DataInputStream in;
  private final int maxMessageBytes;
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  /** The opcode of the fragmented message in progress, or {@link #NONE}. */
  private int fragmented = NONE;

  private byte[] fragments = new byte[0];
  private long fragmentedLength;

  FrameReader(DataInputStream in, int maxMessageBytes) {
    this.in = in;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Reads one frame and hands what it completes to {@code handler}; returns {@code false} after a
   * close frame.
   */
  boolean next(Handler handler) throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    if ((b0 & 0x70) != 0) {
      throw new ProtocolException(1002, "reserved bits set without an extension");
    }
    if ((b1 & 0x80) != 0) {
      throw new ProtocolException(1002, "masked frame from the server");
    }
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
      if (length < 0) {
        throw new ProtocolException(1002, "frame length over 2^63");
      }
    }
    switch (opcode) {
      case PING, PONG, CLOSE -> {
        if (!fin || length > 125) {
          throw new ProtocolException(1002, "fragmented or oversized control frame");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return control(opcode, payload, handler);
      }
      case TEXT, BINARY -> {
        if (fragmented != NONE) {
          throw new ProtocolException(1002, "new message inside a fragmented one");
        }
        checkSize(length);
        if (fin) {
          whole(opcode, length, handler);
        } else {
          fragmented = opcode;
          fragmentedLength = 0;
          append(length);
        }
        return true;
      }
      case CONTINUATION -> {
        if (fragmented == NONE) {
          throw new ProtocolException(1002, "continuation without a message");
        }
        checkSize(fragmentedLength + length);
        append(length);
        if (fin) {
          int opcodeDone = fragmented;
          fragmented = NONE;
          if (opcodeDone == TEXT) {
            handler.text(decode(fragments, (int) fragmentedLength));
          } else {
            handler.binaryDropped(fragmentedLength);
          }
          if (fragments.length > 64 * 1024) {
            fragments = new byte[0]; // do not hold a large buffer for the connection's life
          }
        }
        return true;
      }
      default -> throw new ProtocolException(1002, "unknown opcode " + opcode);
    }
  }

  private boolean control(int opcode, byte[] payload, Handler handler) throws IOException {
    switch (opcode) {
      case PING -> handler.ping(payload);
      case CLOSE -> {
        if (payload.length == 1) {
          throw new ProtocolException(1002, "close frame with a one-byte payload");
        }
        int code = payload.length == 0 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (payload.length > 0 && !validCloseCode(code)) {
          throw new ProtocolException(1002, "invalid close code " + code);
        }
        String reason =
            payload.length > 2
                ? decode(Arrays.copyOfRange(payload, 2, payload.length), payload.length - 2)
                : "";
        handler.close(code, reason);
        return false;
      }
      default -> {} // pong: our liveness check is the protocol's JSON ping, nothing to match
    }
    return true;
  }

  private void whole(int opcode, long length, Handler handler) throws IOException {
    if (opcode == BINARY) {
      in.skipNBytes(length);
      handler.binaryDropped(length);
      return;
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    handler.text(decode(payload, payload.length));
  }

  private void append(long length) throws IOException {
    if (fragmented == BINARY) {
      in.skipNBytes(length);
    } else {
      int end = (int) (fragmentedLength + length);
      if (end > fragments.length) {
        fragments = Arrays.copyOf(fragments, Math.max(end, Math.min(maxMessageBytes, end * 2)));
      }
      in.readFully(fragments, (int) fragmentedLength, (int) length);
    }
    fragmentedLength += length;
  }

  private void checkSize(long length) throws ProtocolException {
    if (length > maxMessageBytes) {
      throw new ProtocolException(1009, "message over " + maxMessageBytes + " bytes");
    }
  }

  private String decode(byte[] bytes, int length) throws ProtocolException {
    try {
      return utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(1007, "invalid UTF-8 in a text message");
    }
  }

  /** Codes a close frame may carry (RFC 6455 §7.4). */
  private static boolean validCloseCode(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }
}
