package io.outpost.realtime.internal;

import io.outpost.realtime.AckTimeoutException;
import io.outpost.realtime.MessageTooLargeException;
import io.outpost.realtime.QueueFullException;
import io.outpost.realtime.ServerErrorException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Requests from call to ack: a request id for each, the size and queue checks, pacing by the
 * connection's token bucket, writing, and settling each request by the server's {@code ack} or
 * {@code error} with the same id, or by the ack timeout. Event thread only.
 */
final class RequestPipeline {

  /** What the pipeline needs from its client. */
  interface Host {
    /** Every connection that may have requests pending (for the ack sweep). */
    List<Connection> connections();

    /** A request on {@code conn} was settled (acked, failed, timed out). */
    void settled(Connection conn);

    /** The number of requests waiting for {@code conn}'s pacer changed. */
    void queueChanged(Connection conn, int queued);
  }

  private final EventLoop events;
  private final WebSocketTransport transport;
  private final Duration ackTimeout;
  private final int maxQueued;
  private final Host host;
  private final String requestIdPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
  private long requestCounter;
  private ScheduledFuture<?> ackSweep;

  RequestPipeline(
      EventLoop events,
      WebSocketTransport transport,
      Duration ackTimeout,
      int maxQueued,
      Host host) {
    this.events = events;
    this.transport = transport;
    this.ackTimeout = ackTimeout;
    this.maxQueued = maxQueued;
    this.host = host;
  }

  /**
   * A request id unique for this client: a random prefix plus a counter. The server only echoes it
   * back; the SDK's UUIDs would cost a SecureRandom call per request on the event thread.
   */
  String nextRequestId() {
    return requestIdPrefix + Long.toString(++requestCounter, 36);
  }

  /**
   * Checks and queues a caller's request on {@code conn}.
   *
   * @param build the frame for a request id
   * @throws MessageTooLargeException over {@code maxMessageSize} UTF-8 bytes (nothing queued)
   * @throws QueueFullException when {@code maxQueued} requests already wait for the pacer
   */
  void submit(
      Connection conn,
      int maxMessageSize,
      String type,
      String target,
      Function<String, String> build,
      CompletableFuture<Void> result) {
    String requestId = nextRequestId();
    String frame = build.apply(requestId);
    // No UTF-16 char takes more than three UTF-8 bytes: a frame that short fits without counting
    // them one by one (a loop over every char of every publish, interpreted on a small device).
    if ((long) frame.length() * 3 > maxMessageSize) {
      int size = FrameCodec.utf8Length(frame);
      if (size > maxMessageSize) {
        throw new MessageTooLargeException(size, maxMessageSize);
      }
    }
    if (conn.queue.size() >= maxQueued) {
      throw new QueueFullException(maxQueued);
    }
    conn.queue.add(new Request(type, target, requestId, frame, result));
    drain(conn);
  }

  /** Queues a request of the client's own (re-subscribe, unsubscribe after a refresh). */
  Request submitInternal(
      Connection conn, String type, String target, Function<String, String> build) {
    String requestId = nextRequestId();
    Request request =
        new Request(type, target, requestId, build.apply(requestId), new CompletableFuture<>());
    conn.queue.add(request);
    drain(conn);
    return request;
  }

  /**
   * Writes queued requests as far as the connection's token bucket allows, then waits for tokens.
   */
  void drain(Connection conn) {
    if (conn.drainTimer != null || conn.lost) {
      return;
    }
    while (!conn.queue.isEmpty()) {
      long now = System.nanoTime();
      if (!conn.bucket.tryTake(now)) {
        long waitNanos =
            Math.max(conn.bucket.nanosUntilAvailable(now), TimeUnit.MILLISECONDS.toNanos(1));
        conn.drainTimer =
            events.schedule(
                () -> {
                  conn.drainTimer = null;
                  drain(conn);
                },
                waitNanos,
                TimeUnit.NANOSECONDS);
        break;
      }
      write(conn, conn.queue.poll());
    }
    host.queueChanged(conn, conn.queue.size());
  }

  private void write(Connection conn, Request request) {
    request.writtenAtNanos = System.nanoTime();
    conn.pending.put(request.requestId, request);
    armAckSweep();
    if (request.isSubscribe()) {
      conn.awaitingSnapshot.add(request.target);
    }
    transport.send(conn, request.frame);
  }

  /** Settles the request the server acked; false if no request of {@code conn} has this id. */
  boolean ack(Connection conn, String requestId) {
    Request request = conn.pending.remove(requestId);
    if (request == null) {
      return false;
    }
    request.future.complete(null);
    host.settled(conn);
    return true;
  }

  /**
   * Fails the request the server's {@code error} names; false if none of {@code conn} has this id.
   */
  boolean error(Connection conn, String requestId, String code, String message) {
    Request request = requestId == null ? null : conn.pending.remove(requestId);
    if (request == null) {
      return false;
    }
    request.future.completeExceptionally(new ServerErrorException(code, message));
    host.settled(conn);
    return true;
  }

  /** Stops the ack sweep (the client is closing). */
  void stop() {
    if (ackSweep != null) {
      ackSweep.cancel(false);
      ackSweep = null;
    }
  }

  /**
   * One timer for all requests instead of one per request: it is set for the oldest pending
   * request's deadline, and when it fires it fails what has expired and sets itself for the next
   * oldest. Acks normally arrive within milliseconds and cancel nothing, so a steady trickle of
   * publishes costs one wake-up per ack timeout, not one per request (a periodic sweep would wake
   * every few hundred milliseconds while anything is pending).
   */
  private void armAckSweep() {
    if (ackSweep == null) {
      // Nothing was pending (the timer only stops then): this request is the oldest.
      scheduleSweep(ackTimeout.toNanos());
    }
  }

  private void scheduleSweep(long delayNanos) {
    ackSweep = events.schedule(this::sweepAcks, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void sweepAcks() {
    ackSweep = null;
    long now = System.nanoTime();
    long timeoutNanos = ackTimeout.toNanos();
    long oldest = Long.MAX_VALUE;
    boolean anyPending = false;
    for (Connection conn : host.connections()) {
      var it = conn.pending.values().iterator();
      while (it.hasNext()) {
        Request request = it.next();
        if (now - request.writtenAtNanos < timeoutNanos) {
          // write order: everything after this one is younger
          if (!anyPending || request.writtenAtNanos - oldest < 0) {
            oldest = request.writtenAtNanos;
          }
          anyPending = true;
          break;
        }
        it.remove();
        request.future.completeExceptionally(
            new AckTimeoutException(request.requestId, ackTimeout));
      }
      host.settled(conn);
    }
    if (anyPending && ackSweep == null) {
      scheduleSweep(Math.max(1, oldest + timeoutNanos - now));
    }
  }
}
