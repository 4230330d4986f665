package io.outpost.relay.internal;

import io.outpost.log.Logger;
import java.io.IOException;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.NIOConnection;

/**
 * Reads the WebSocket frame headers of every upgraded connection before Tyrus does, and enforces
 * two limits that Tyrus does not:
 *
 * <ul>
 *   <li><b>Message size.</b> A data frame, or a fragmented message, over {@code maxMessageSize}
 *       closes the socket with 1009 whatever its framing. The frame's bytes are dropped here, never
 *       buffered (Tyrus would deliver a single frame of up to its buffer size, and fail bigger ones
 *       with 1011 and a stack trace). After that only control frames reach Tyrus, so the close
 *       handshake still completes.
 *   <li><b>Unsent backlog.</b> Tyrus answers every ping with a pong by itself, outside the relay's
 *       outbound queue. Before each read is passed on, the bytes waiting in the connection's write
 *       queue plus the relay's own queue are compared with {@code outboundLimit}; a peer over it
 *       reads too slowly and is closed with 1008, and nothing it sends is processed any more. So a
 *       peer that never reads holds at most {@code outboundLimit} plus one read's worth of answers.
 * </ul>
 *
 * <p>The relay does not negotiate {@code permessage-deflate} (no extension is registered), so the
 * payload length in the frame header is the message size and there is nothing to decompress.
 *
 * <p>Sits in the Grizzly chain between the HTTP codec and Tyrus. Per-connection state lives in a
 * connection attribute; Grizzly delivers one connection's reads sequentially.
 */
final class FrameGuard extends BaseFilter {
  private static final Attribute<State> STATE =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(FrameGuard.class.getName() + ".state");
  private static final Attribute<Connection> RELAY_CONNECTION =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(FrameGuard.class.getName() + ".relay");

  private final int maxMessageSize;
  private final long outboundLimit;

  FrameGuard(int maxMessageSize, long outboundLimit) {
    this.maxMessageSize = maxMessageSize;
    this.outboundLimit = outboundLimit;
  }

  /** Links an admitted relay connection to its socket, so that limits can close it properly. */
  static void bind(org.glassfish.grizzly.Connection<?> socket, Connection connection) {
    RELAY_CONNECTION.set(socket, connection);
  }

  /**
   * Whether {@code socket} completed a WebSocket handshake request (its later reads are frames).
   */
  static boolean upgraded(org.glassfish.grizzly.Connection<?> socket) {
    return STATE.get(socket) != null;
  }

  /** Bytes handed to Grizzly for {@code socket} and not yet written to the kernel. */
  static long unwritten(org.glassfish.grizzly.Connection<?> socket) {
    return socket instanceof NIOConnection n ? n.getAsyncWriteQueue().spaceInBytes() : 0;
  }

  @Override
  public NextAction handleRead(FilterChainContext ctx) throws IOException {
    if (!(ctx.getMessage() instanceof HttpContent content)
        || !(content.getHttpHeader() instanceof HttpRequestPacket request)
        || !request.isUpgrade()
        || !"websocket".equalsIgnoreCase(request.getUpgrade())) {
      return ctx.getInvokeAction();
    }
    org.glassfish.grizzly.Connection<?> socket = ctx.getConnection();
    State state = STATE.get(socket);
    if (state == null) {
      // The handshake request itself: Tyrus ignores bytes that came along with it, so frames start
      // with the next read.
      STATE.set(socket, new State());
      return ctx.getInvokeAction();
    }
    Connection relay = RELAY_CONNECTION.get(socket);
    if (!state.stopped) {
      long backlog = unwritten(socket) + (relay != null ? relay.queuedBytes() : 0);
      if (backlog > outboundLimit) {
        state.stopped = true;
        if (relay != null) {
          relay.backlogOverLimit(backlog);
        } else {
          socket.closeSilently();
        }
      }
    }
    if (state.stopped) {
      content.recycle();
      return ctx.getStopAction();
    }
    Buffer in = content.getContent();
    if (relay != null && relay.draining()) {
      // The relay sent its close frame: read and drop until the client's close frame, then close.
      if (state.sawClose(in)) {
        socket.close(); // after what is queued; nothing unread is left behind, so no reset
      }
      content.recycle();
      return ctx.getStopAction();
    }
    Buffer out = state.filter(in, socket, this, relay);
    if (out != in) {
      if (!out.hasRemaining()) {
        content.recycle();
        return ctx.getStopAction();
      }
      ctx.setMessage(HttpContent.builder(content.getHttpHeader()).content(out).build());
    }
    return ctx.getInvokeAction();
  }

  private void tooBig(Connection relay, long size, boolean fragmented) {
    if (relay == null) {
      return; // not admitted: Tyrus is closing it already
    }
    Logger.info(
        "{}: {} of {} bytes is over maxMessageSize {}, closing with 1009",
        relay.peerId(),
        fragmented ? "fragmented message" : "frame",
        size,
        maxMessageSize);
    relay.closeDraining(1009, "message too big: over " + maxMessageSize + " bytes");
  }

  /** Where one connection is in its frame stream. */
  private static final class State {
    /** Header bytes of the current frame, when its header is split across reads. */
    private final byte[] header = new byte[14];

    private int headerLength;
    private long payloadLeft;
    private boolean dropPayload;
    private long messageBytes;
    private boolean refused;
    private volatile boolean stopped;

    /**
     * {@code in} minus the frames to drop; {@code in} itself when nothing changes (the usual case).
     */
    Buffer filter(
        Buffer in, org.glassfish.grizzly.Connection<?> socket, FrameGuard guard, Connection relay) {
      int start = in.position();
      int limit = in.limit();
      Segments keep = new Segments(in);
      if (headerLength > 0) {
        keep.literal(header, headerLength); // held back last time; emitted if the frame is kept
      }
      int pos = start;
      while (pos < limit) {
        if (payloadLeft > 0) {
          int n = (int) Math.min(payloadLeft, limit - pos);
          if (!dropPayload) {
            keep.range(pos, pos + n);
          }
          pos += n;
          payloadLeft -= n;
          continue;
        }
        int headerStart = pos;
        int heldBefore = headerLength;
        while (headerLength < needed() && pos < limit) {
          header[headerLength++] = in.get(pos++);
        }
        if (headerLength < needed()) {
          if (heldBefore > 0) {
            keep.dropLiteral(); // still incomplete: all of it waits here for the next read
          }
          break;
        }
        long length = payloadLength();
        int opcode = header[0] & 0x0f;
        boolean fin = (header[0] & 0x80) != 0;
        boolean forward = true;
        if (opcode <= 2) { // continuation, text, binary
          if (refused) {
            forward = false;
          } else {
            long total = (opcode == 0 ? messageBytes : 0) + length;
            if (length < 0 || total > guard.maxMessageSize) {
              refused = true;
              forward = false;
              guard.tooBig(relay, length < 0 ? Long.MAX_VALUE : total, opcode == 0);
            } else {
              messageBytes = fin ? 0 : total;
            }
          }
        }
        if (forward) {
          keep.range(headerStart, pos); // after the literal, when part of the header was held
        } else if (heldBefore > 0) {
          keep.dropLiteral();
        }
        headerLength = 0;
        payloadLeft = length < 0 ? Long.MAX_VALUE : length;
        dropPayload = !forward;
      }
      return keep.result(socket);
    }

    /** Walks the frames in {@code in} without keeping any; true once a close frame starts. */
    boolean sawClose(Buffer in) {
      int pos = in.position();
      int limit = in.limit();
      while (pos < limit) {
        if (payloadLeft > 0) {
          int n = (int) Math.min(payloadLeft, limit - pos);
          pos += n;
          payloadLeft -= n;
          continue;
        }
        while (headerLength < needed() && pos < limit) {
          header[headerLength++] = in.get(pos++);
        }
        if (headerLength < needed()) {
          return false;
        }
        long length = payloadLength();
        boolean close = (header[0] & 0x0f) == 0x8;
        headerLength = 0;
        payloadLeft = length < 0 ? Long.MAX_VALUE : length;
        if (close) {
          return true;
        }
      }
      return false;
    }

    private int needed() {
      if (headerLength < 2) {
        return 2;
      }
      int len7 = header[1] & 0x7f;
      int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
      int mask = (header[1] & 0x80) != 0 ? 4 : 0;
      return 2 + extended + mask;
    }

    /** The payload length; negative when the 64-bit length has its top bit set (invalid). */
    private long payloadLength() {
      int len7 = header[1] & 0x7f;
      if (len7 < 126) {
        return len7;
      }
      int bytes = len7 == 126 ? 2 : 8;
      long n = 0;
      for (int i = 0; i < bytes; i++) {
        n = (n << 8) | (header[2 + i] & 0xff);
      }
      return n;
    }
  }

  /**
   * The parts of one read that are passed on: ranges of the input plus, first, header bytes held
   * from the previous read.
   */
  private static final class Segments {
    private final Buffer in;
    private byte[] literal;
    private int literalLength;
    private int[] ranges = new int[8];
    private int count;

    Segments(Buffer in) {
      this.in = in;
    }

    void literal(byte[] bytes, int length) {
      literal = java.util.Arrays.copyOf(bytes, length); // the array is reused for later headers
      literalLength = length;
    }

    void dropLiteral() {
      literal = null;
      literalLength = 0;
    }

    void range(int from, int to) {
      if (from == to) {
        return;
      }
      if (count > 0 && ranges[2 * count - 1] == from) {
        ranges[2 * count - 1] = to;
        return;
      }
      if (2 * count == ranges.length) {
        ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
      }
      ranges[2 * count] = from;
      ranges[2 * count + 1] = to;
      count++;
    }

    Buffer result(org.glassfish.grizzly.Connection<?> socket) {
      if (literal == null && count == 1 && ranges[0] == in.position() && ranges[1] == in.limit()) {
        return in; // all of it, unchanged
      }
      int size = literal != null ? literalLength : 0;
      for (int i = 0; i < count; i++) {
        size += ranges[2 * i + 1] - ranges[2 * i];
      }
      byte[] out = new byte[size];
      int at = 0;
      if (literal != null) {
        System.arraycopy(literal, 0, out, 0, literalLength);
        at = literalLength;
      }
      int position = in.position();
      for (int i = 0; i < count; i++) {
        int from = ranges[2 * i];
        int n = ranges[2 * i + 1] - from;
        in.position(from);
        in.get(out, at, n);
        at += n;
      }
      in.position(position);
      return Buffers.wrap(socket.getMemoryManager(), out);
    }
  }
}
