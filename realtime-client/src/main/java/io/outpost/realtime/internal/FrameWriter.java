package io.outpost.realtime.internal;

import io.outpost.log.Logger;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write side of one connection: a thread that sleeps on a queue and writes each frame, masked
 * with a fresh key (RFC 6455 §5.3), in one {@code write} call. Keys are drawn from the DRBG {@value
 * #KEYS_PER_DRAW} at a time: each draw runs a few SHA-256 blocks whatever its length, which on a
 * JVM that compiles little cost more per frame than the rest of the frame's work. Callers never
 * block on the network: a stalled peer stalls only this thread, and closing the socket releases it.
 * After a close frame nothing more is written and the thread ends.
 */
final class FrameWriter implements Runnable {

  /** A control frame to write (close, pong). */
  private record Control(int opcode, byte[] payload) {}

  private static final Object STOP = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedChars = new AtomicLong();
  private final OutputStream out;
  private final Random masks;

  /** Keys drawn together and used once each, in order (only this thread touches them). */
  static final int KEYS_PER_DRAW = 64;

  private final byte[] keys = new byte[4 * KEYS_PER_DRAW];
  private int nextKey = keys.length;
  private final String name;
  private final Runnable onFailure;

  /**
   * @param masks the source of masking keys (a DRBG: no system call per frame)
   * @param onFailure called once, on this thread, when a write fails
   */
  FrameWriter(OutputStream out, Random masks, String name, Runnable onFailure) {
    this.out = out;
    this.masks = masks;
    this.name = name;
    this.onFailure = onFailure;
  }

  /** Queues a text frame; returns the characters now waiting to be written. */
  long text(String text) {
    long waiting = queuedChars.addAndGet(text.length());
    queue.add(text);
    return waiting;
  }

  void pong(byte[] payload) {
    queue.add(new Control(FrameReader.PONG, payload));
  }

  /** Queues the close frame; what is queued before it is still written. */
  void close(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, 123); // a control frame carries at most 125 bytes
    byte[] payload = new byte[code == 1005 ? 0 : 2 + length];
    if (payload.length > 0) {
      payload[0] = (byte) (code >> 8);
      payload[1] = (byte) code;
      System.arraycopy(text, 0, payload, 2, length);
    }
    queue.add(new Control(FrameReader.CLOSE, payload));
  }

  /** Ends the thread without writing what is still queued (the socket is gone). */
  void stop() {
    queue.add(STOP);
  }

  @Override
  public void run() {
    try {
      while (true) {
        Object item = queue.take();
        if (item == STOP) {
          return;
        }
        if (item instanceof String text) {
          queuedChars.addAndGet(-text.length());
          out.write(frame(FrameReader.TEXT, text.getBytes(StandardCharsets.UTF_8)));
        } else {
          Control control = (Control) item;
          out.write(frame(control.opcode(), control.payload()));
          if (control.opcode() == FrameReader.CLOSE) {
            out.flush();
            return;
          }
        }
        if (queue.isEmpty()) {
          out.flush();
        }
      }
    } catch (IOException e) {
      Logger.debug("{}: write failed: {}", name, Redactor.describe(e));
      onFailure.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      queue.clear();
    }
  }

  /** A whole client frame: FIN, opcode, MASK bit, length, key, masked payload. */
  byte[] frame(int opcode, byte[] payload) {
    int n = payload.length;
    int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
    byte[] frame = new byte[header + 4 + n];
    frame[0] = (byte) (0x80 | opcode);
    if (n < 126) {
      frame[1] = (byte) (0x80 | n);
    } else if (n < 65_536) {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (n >> 8);
      frame[3] = (byte) n;
    } else {
      frame[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) ((long) n >> (56 - 8 * i));
      }
    }
    if (nextKey == keys.length) {
      masks.nextBytes(keys);
      nextKey = 0;
    }
    System.arraycopy(keys, nextKey, frame, header, 4);
    nextKey += 4;
    int at = header + 4;
    for (int i = 0; i < n; i++) {
      frame[at + i] = (byte) (payload[i] ^ frame[header + (i & 3)]);
    }
    return frame;
  }
}
