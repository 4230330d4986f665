package io.outpost.relay.internal;

import io.outpost.log.Logger;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted WebSocket: its credential, subscriptions, rate bucket and liveness clock.
 * Thread-safe; {@link #send} never blocks the caller. Text frames go through an {@link Outbound}
 * queue (encoded once, written in batches by the relay's output threads); pings and close frames,
 * and text frames too when the Grizzly connection cannot be reached, go through Tyrus' asynchronous
 * remote.
 */
public final class Connection {
  private static final ByteBuffer PING_PAYLOAD = ByteBuffer.allocate(0);

  /**
   * How long a peer cut off for being too slow gets to take the close frame before its socket is
   * dropped.
   */
  private static final long SLOW_CLOSE_GRACE_SECONDS = 5;

  private final Session session;

  /** Null when text frames use Tyrus' send path (see {@link GrizzlyConnections}). */
  private final Outbound outbound;

  private final ScheduledExecutorService timer;
  private final long outboundLimit;
  private final Credential credential;
  private final TokenBucket bucket;

  /** Subscription string → includeSenderMetadata. */
  private final Map<String, Boolean> subscriptions = new ConcurrentHashMap<>();

  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean cutOff = new AtomicBoolean();
  private volatile boolean draining;
  private volatile long lastSeenNanos;
  private volatile long lastPingNanos;
  private volatile ScheduledFuture<?> expiry;

  /**
   * @param output threads that write queued frames
   * @param outboundLimit bytes that may wait to be written before the peer is closed with 1008 as
   *     too slow
   * @param timer the relay's own thread; a too-slow peer is closed there
   */
  public Connection(
      Session session,
      Credential credential,
      TokenBucket bucket,
      long nowNanos,
      Executor output,
      long outboundLimit,
      ScheduledExecutorService timer) {
    this.session = session;
    this.timer = timer;
    this.outboundLimit = outboundLimit;
    this.credential = credential;
    this.bucket = bucket;
    this.lastSeenNanos = nowNanos;
    this.lastPingNanos = nowNanos;
    org.glassfish.grizzly.Connection<?> grizzly = GrizzlyConnections.of(session);
    this.outbound =
        grizzly == null ? null : new Outbound(grizzly, output, outboundLimit, this::tooSlow);
    if (grizzly != null) {
      FrameGuard.bind(grizzly, this);
    }
  }

  /** Bytes of text frames waiting in this connection's queue (not yet handed to Grizzly). */
  long queuedBytes() {
    return outbound != null ? outbound.queuedBytes() : 0;
  }

  /**
   * Called by {@link FrameGuard} when frames the relay or Tyrus wrote (pongs included) pile up
   * beyond the outbound limit: the peer is cut off like one whose text frames overflow.
   */
  void backlogOverLimit(long backlog) {
    if (outbound != null) {
      outbound.shutNow();
    }
    tooSlow();
  }

  public String peerId() {
    return credential.peerId();
  }

  public Credential credential() {
    return credential;
  }

  /** Live view: subscription string → includeSenderMetadata. */
  public Map<String, Boolean> subscriptions() {
    return subscriptions;
  }

  public boolean tryTakeToken(long nowNanos) {
    return bucket.tryTake(nowNanos);
  }

  public void touch(long nowNanos) {
    lastSeenNanos = nowNanos;
  }

  public long lastSeenNanos() {
    return lastSeenNanos;
  }

  public long lastPingNanos() {
    return lastPingNanos;
  }

  public void expiry(ScheduledFuture<?> expiry) {
    this.expiry = expiry;
  }

  /** Whether a close was started (by us) or the socket is gone. */
  public boolean isClosing() {
    return closing.get() || !session.isOpen();
  }

  /** Queues a text frame; silently dropped once the socket is closing. */
  public void send(String text) {
    send(text, null);
  }

  /**
   * Queues a text frame given both as text and, when the caller shares one encoding among many
   * sockets, as the complete frame from {@link TextFrame#encode} (null = encode here). Dropped once
   * the socket is closing.
   */
  public void send(String text, byte[] frame) {
    if (closing.get()) {
      return;
    }
    if (outbound != null) {
      outbound.offer(frame != null ? frame : TextFrame.encode(text));
      return;
    }
    try {
      session.getAsyncRemote().sendText(text);
    } catch (RuntimeException e) {
      // The peer vanished between the check and the write; its onClose does the cleanup.
      Logger.debug("send to {} failed: {}", peerId(), e.toString());
    }
  }

  /** Sends an RFC 6455 ping. */
  public void ping(long nowNanos) {
    lastPingNanos = nowNanos;
    if (closing.get()) {
      return;
    }
    try {
      session.getAsyncRemote().sendPing(PING_PAYLOAD.duplicate());
    } catch (IOException | RuntimeException e) {
      Logger.debug("ping to {} failed: {}", peerId(), e.toString());
    }
  }

  /** Starts the close handshake with {@code code}; later calls are ignored. */
  public void close(int code, String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    cancelExpiry();
    if (outbound != null) {
      outbound.flushAndShut(); // frames sent before the close go out before the close frame
    }
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    } catch (IOException | RuntimeException e) {
      Logger.debug("closing {} with {} failed: {}", peerId(), code, e.toString());
    }
  }

  /**
   * Closes for a client that broke a limit (4011, 1009) while it may still be writing: the close
   * frame is written here, then everything the client sends is read and dropped until its own close
   * frame arrives ({@link FrameGuard}), and only then is the TCP connection closed. Closing at
   * once, as Tyrus does, while the client's frames are still arriving makes the kernel answer them
   * with a reset, and the client sees 1006 instead of the code. Dropped after a grace period if the
   * client never answers. Falls back to {@link #close} without a direct Grizzly connection.
   */
  public void closeDraining(int code, String reason) {
    if (outbound == null) {
      close(code, reason);
      return;
    }
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    draining = true;
    cancelExpiry();
    outbound.flushAndShut(TextFrame.close(code, reason));
    try {
      timer.schedule(
          () -> {
            if (outbound.isOpen()) {
              Logger.info(
                  "{}: no close frame {} s after {}, dropping the socket",
                  peerId(),
                  SLOW_CLOSE_GRACE_SECONDS,
                  code);
              outbound.terminate();
            }
          },
          SLOW_CLOSE_GRACE_SECONDS,
          TimeUnit.SECONDS);
    } catch (RejectedExecutionException stopped) {
      outbound.terminate();
    }
  }

  /** Whether {@link #closeDraining} started: the client's frames are dropped until its close. */
  boolean draining() {
    return draining;
  }

  /**
   * The socket closed: frames still queued are dropped. Never blocks (Tyrus may call this from
   * inside a write).
   */
  public void closed() {
    cancelExpiry();
    if (outbound != null) {
      outbound.shutNow();
    }
  }

  /**
   * Called by {@link Outbound#offer} on a publishing thread, maybe under the hub's lock: the close
   * runs on the relay's own thread instead. A peer that reads nothing never takes the close frame
   * either, so its socket is dropped after a grace period.
   */
  private void tooSlow() {
    if (!cutOff.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.execute(
          () -> {
            Logger.info(
                "{}: more than {} bytes waiting to be sent (peer reads too slowly), closing with 1008",
                peerId(),
                outboundLimit);
            close(1008, "too slow: outbound queue limit exceeded");
            timer.schedule(
                () -> {
                  if (outbound.isOpen()) {
                    Logger.info(
                        "{}: no close handshake {} s after 1008, dropping the socket",
                        peerId(),
                        SLOW_CLOSE_GRACE_SECONDS);
                    outbound.terminate();
                  }
                },
                SLOW_CLOSE_GRACE_SECONDS,
                TimeUnit.SECONDS);
          });
    } catch (RejectedExecutionException stopped) {
      outbound.terminate(); // the relay is stopping
    }
  }

  public void cancelExpiry() {
    ScheduledFuture<?> f = expiry;
    if (f != null) {
      f.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "Connection{" + peerId() + "}";
  }
}
