package io.outpost.relay.internal;

import io.outpost.log.Logger;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;

/**
 * The outgoing side of one WebSocket: a queue of complete, pre-encoded frames that a drain task on
 * the relay's output threads writes to the Grizzly connection, several queued frames per write.
 * Thread-safe; {@link #offer} never blocks and never writes on the caller's thread.
 *
 * <p>Why it is safe next to Tyrus, which still writes pings, pongs and close frames on the same
 * connection: Tyrus also writes each of its frames as one buffer through {@code Connection.write},
 * and Grizzly's async write queue writes a buffer completely before it starts the next one, so
 * whole frames from both writers never interleave. Frames from this class keep their order because
 * one batch at a time is in flight and batches are taken under one lock. {@link #flushAndShut}
 * hands over everything still queued before a close frame is sent.
 *
 * <p>Memory: at most one batch (about {@value #MAX_BATCH_BYTES} bytes, or one larger frame) is in
 * Grizzly's queue; the rest waits here and counts against {@code limitBytes}. A subscriber whose
 * backlog exceeds it is cut off: the queue is dropped and {@code onOverflow} runs (once).
 */
public final class Outbound {
  /**
   * Frames are coalesced into writes of up to this many bytes (a single bigger frame is written
   * alone).
   */
  static final int MAX_BATCH_BYTES = 64 * 1024;

  @SuppressWarnings(
      "rawtypes") // Grizzly's write(M, CompletionHandler<WriteResult<M, L>>) does not fit wildcards
  private final Connection connection;

  private final MemoryManager<?> memory;
  private final Executor executor;
  private final long limitBytes;
  private final Runnable onOverflow;
  private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();

  /**
   * Set while a drain is scheduled or running or its batch is still being written: at most one of
   * those.
   */
  private final AtomicBoolean busy = new AtomicBoolean();

  private final AtomicBoolean overflowed = new AtomicBoolean();

  /**
   * Taken around taking a batch and handing it to Grizzly, so that batches enter Grizzly's queue in
   * order.
   */
  private final ReentrantLock writeLock = new ReentrantLock();

  private final Runnable drainTask = this::drain;

  /** Scratch list of the frames of one batch; only used under writeLock. */
  private final java.util.ArrayList<byte[]> batch = new java.util.ArrayList<>();

  /** A frame polled that did not fit the previous batch; only used under writeLock. */
  private volatile byte[] carry;

  @SuppressWarnings("rawtypes")
  private final CompletionHandler<WriteResult> written =
      new CompletionHandler<>() {
        @Override
        public void cancelled() {
          shutNow();
        }

        @Override
        public void failed(Throwable t) {
          // The socket broke; Grizzly closes it and Tyrus' onClose does the cleanup.
          Logger.debug("write failed: {}", t.toString());
          shutNow();
        }

        @Override
        public void completed(WriteResult result) {
          afterWrite();
        }

        @Override
        public void updated(WriteResult result) {}
      };

  private volatile boolean shut;

  /**
   * @param connection the socket's Grizzly connection
   * @param executor runs drain tasks (the relay's output threads)
   * @param limitBytes most bytes that may wait here before the subscriber counts as too slow
   * @param onOverflow run once, on the offering thread, when {@code limitBytes} is exceeded; must
   *     not block
   */
  public Outbound(
      Connection<?> connection, Executor executor, long limitBytes, Runnable onOverflow) {
    this.connection = connection;
    this.memory = connection.getMemoryManager();
    this.executor = executor;
    this.limitBytes = limitBytes;
    this.onOverflow = onOverflow;
  }

  /**
   * Queues one complete frame (see {@link TextFrame}); the array is shared, never modified.
   *
   * @return false when the frame was dropped: shut, or it pushed the backlog over the limit
   */
  public boolean offer(byte[] frame) {
    if (shut) {
      return false;
    }
    queue.add(frame);
    // Pongs and close frames that Tyrus writes wait in Grizzly's queue; they count too.
    if (queuedBytes.addAndGet(frame.length) + FrameGuard.unwritten(connection) > limitBytes) {
      overflow();
      return false;
    }
    if (busy.compareAndSet(false, true)) {
      schedule();
    }
    return true;
  }

  /**
   * Hands every queued frame to Grizzly now, on this thread, and refuses frames from then on; call
   * before Tyrus sends a close frame so that the frames sent before the close reach the peer before
   * it. After an overflow the backlog is already gone and nothing is written.
   */
  public void flushAndShut() {
    flushAndShut(null);
  }

  /**
   * As {@link #flushAndShut()}, then writes {@code last} (a complete frame, e.g. a close frame)
   * when not null, even after an overflow dropped the backlog.
   */
  @SuppressWarnings("unchecked")
  public void flushAndShut(byte[] last) {
    writeLock.lock();
    try {
      if (!shut && connection.isOpen()) {
        for (Buffer batch; (batch = takeBatch()) != null; ) {
          connection.write(batch, null);
        }
      }
      if (last != null && connection.isOpen()) {
        connection.write(wrap(last), null);
      }
    } catch (RuntimeException e) {
      Logger.debug("flush before close failed: {}", e.toString());
    } finally {
      shut = true;
      writeLock.unlock();
      discard();
    }
  }

  /** Refuses and drops everything from now on (the socket is closed or broken). */
  public void shutNow() {
    shut = true;
    discard();
  }

  /**
   * Closes the TCP connection at once, without a close handshake (a peer that reads nothing never
   * gets one).
   */
  public void terminate() {
    shutNow();
    connection.terminateSilently();
  }

  /** Bytes queued here and not yet handed to Grizzly. */
  public long queuedBytes() {
    return queuedBytes.get();
  }

  /** Whether the TCP connection is still open. */
  public boolean isOpen() {
    return connection.isOpen();
  }

  private void overflow() {
    if (overflowed.compareAndSet(false, true)) {
      shutNow();
      onOverflow.run();
    }
  }

  private void discard() {
    for (byte[] f; (f = queue.poll()) != null; ) {
      queuedBytes.addAndGet(-f.length);
    }
  }

  private void schedule() {
    try {
      executor.execute(drainTask);
    } catch (RejectedExecutionException stopped) {
      drain(); // the relay is stopping; write on this thread rather than lose the frames
    }
  }

  @SuppressWarnings("unchecked")
  private void drain() {
    Buffer batch = null;
    writeLock.lock();
    try {
      if (!shut && connection.isOpen()) {
        batch = takeBatch();
        if (batch != null) {
          // Completion (possibly right here, inside write) schedules the next batch; until then
          // frames queue up
          // and are written together.
          connection.write(batch, written);
          return;
        }
      }
    } catch (RuntimeException e) {
      Logger.debug("write failed: {}", e.toString());
      shutNow();
    } finally {
      writeLock.unlock();
    }
    if (batch == null) {
      idle();
    }
  }

  private void afterWrite() {
    if (!hasPending() || shut) {
      idle();
    } else {
      schedule();
    }
  }

  /**
   * Leaves the busy state, re-entering it if a frame slipped in meanwhile (else it would wait for
   * the next).
   */
  private void idle() {
    busy.set(false);
    if (!shut && hasPending() && busy.compareAndSet(false, true)) {
      schedule();
    }
  }

  private boolean hasPending() {
    return carry != null || !queue.isEmpty();
  }

  /**
   * Up to {@link #MAX_BATCH_BYTES} of queued frames as one buffer, or null when none are queued.
   * Under writeLock.
   */
  private Buffer takeBatch() {
    byte[] first = carry != null ? carry : queue.poll();
    carry = null;
    if (first == null) {
      return null;
    }
    int n = first.length;
    batch.clear();
    batch.add(first);
    // Only poll, never peek-then-poll: shutNow() may drain the queue concurrently.
    for (byte[] next; n < MAX_BATCH_BYTES && (next = queue.poll()) != null; ) {
      if (n + next.length > MAX_BATCH_BYTES) {
        carry = next; // still counted in queuedBytes; first frame of the next batch
        break;
      }
      batch.add(next);
      n += next.length;
    }
    queuedBytes.addAndGet(-n);
    if (batch.size() == 1) {
      batch.clear();
      return wrap(first);
    }
    // Several frames: copy them into one array, so the kernel gets one write for all of them.
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] f : batch) {
      System.arraycopy(f, 0, out, at, f.length);
      at += f.length;
    }
    batch.clear();
    return wrap(out);
  }

  /**
   * A Grizzly buffer over {@code bytes} that Grizzly must never dispose: with the heap memory
   * manager a disposed buffer's array can become a thread's allocation pool, and a frame array is
   * shared by every recipient of the message. Wrappers are not disposable by default (Grizzly 4.0.2
   * only "releases" disposable ones after a write); saying so explicitly keeps that from depending
   * on a default.
   */
  private Buffer wrap(byte[] bytes) {
    Buffer b = Buffers.wrap(memory, bytes);
    b.allowBufferDispose(false);
    return b;
  }
}
