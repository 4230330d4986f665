package io.outpost.realtime.internal;

import io.outpost.realtime.DisconnectedException;
import io.outpost.realtime.NotConnectedException;
import io.outpost.realtime.SubscribeOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One WebSocket connection and everything tied to its life: the requests written on it and waiting
 * for acks, the requests waiting for its pacer, its timers. The server's rate limit is per
 * connection, so the token bucket lives here too. All fields are touched on the event thread only,
 * except {@link #link}, which the transport sets once.
 */
final class Connection {

  final int id;
  final boolean refresh;
  final String secret;
  final TokenBucket bucket;

  /**
   * Written requests waiting for their ack, in write order (the ack sweep relies on that order).
   */
  final LinkedHashMap<String, Request> pending = new LinkedHashMap<>();

  final ArrayDeque<Request> queue = new ArrayDeque<>();

  /**
   * Channels subscribed on this connection whose first presence (the snapshot) has not arrived yet.
   */
  final Set<String> awaitingSnapshot = new HashSet<>();

  /** Subscriptions replayed on this connection (used when a refreshed connection takes over). */
  final Map<String, SubscribeOptions> replayed = new LinkedHashMap<>();

  /** Completes when the transport reported the socket closed. */
  final CompletableFuture<Void> socketClosed = new CompletableFuture<>();

  volatile WebSocketTransport.Link link;

  /** Set on the transport thread when the inbound backlog overflowed; later frames are dropped. */
  volatile boolean inboundOverflow;

  boolean open;
  boolean welcomed;
  boolean lost;
  boolean draining;
  ServerFrame.Welcome welcome;
  long lastInboundNanos;
  long lastPingNanos;
  ScheduledFuture<?> welcomeTimer;
  ScheduledFuture<?> keepaliveTimer;
  ScheduledFuture<?> drainTimer;
  ScheduledFuture<?> drainCloseTimer;

  Connection(int id, boolean refresh, String secret, TokenBucket bucket) {
    this.id = id;
    this.refresh = refresh;
    this.secret = secret;
    this.bucket = bucket;
  }

  void cancelTimers() {
    for (ScheduledFuture<?> t :
        new ScheduledFuture<?>[] {welcomeTimer, keepaliveTimer, drainTimer, drainCloseTimer}) {
      if (t != null) {
        t.cancel(false);
      }
    }
    welcomeTimer = null;
    keepaliveTimer = null;
    drainTimer = null;
    drainCloseTimer = null;
  }

  /**
   * Fails everything: written requests with {@link DisconnectedException}, queued ones as never
   * sent.
   */
  void failAll(int code, String reason) {
    List<Request> written = new ArrayList<>(pending.values());
    pending.clear();
    List<Request> queued = new ArrayList<>(queue);
    queue.clear();
    for (Request r : written) {
      r.future.completeExceptionally(new DisconnectedException(code, reason));
    }
    for (Request r : queued) {
      r.future.completeExceptionally(
          new NotConnectedException(
              "connection closed (code " + code + ") before the request was sent"));
    }
  }

  /** Fails everything because the client is closing. */
  void failAllClosed() {
    List<Request> all = new ArrayList<>(pending.values());
    all.addAll(queue);
    pending.clear();
    queue.clear();
    for (Request r : all) {
      r.future.completeExceptionally(new NotConnectedException("client closed"));
    }
  }

  @Override
  public String toString() {
    return "connection #" + id + (refresh ? " (refresh)" : "");
  }
}
