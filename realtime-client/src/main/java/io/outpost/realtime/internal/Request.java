package io.outpost.realtime.internal;

import java.util.concurrent.CompletableFuture;

/**
 * One acked request (subscribe, unsubscribe, publish, send) from enqueue to ack. Event thread only.
 */
final class Request {

  final String type;
  final String target;
  final String requestId;
  final String frame;
  final CompletableFuture<Void> future;

  /** When the frame was handed to the socket ({@link System#nanoTime()}); 0 while queued. */
  long writtenAtNanos;

  Request(
      String type, String target, String requestId, String frame, CompletableFuture<Void> future) {
    this.type = type;
    this.target = target;
    this.requestId = requestId;
    this.frame = frame;
    this.future = future;
  }

  boolean isSubscribe() {
    return type.equals("subscribe");
  }
}
