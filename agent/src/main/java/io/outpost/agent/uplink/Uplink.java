package io.outpost.agent.uplink;

import com.google.gson.JsonElement;
import io.outpost.agent.internal.Json;
import io.outpost.agent.internal.LogSafe;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.outbox.Row;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.tinylog.Logger;

/**
 * Moves committed outbox rows to the link and deletes each one only after the server acked it.
 *
 * <p>After every (re)connect the rows already stored are the <em>backlog</em>; rows committed later
 * are <em>live</em>. Live rows go first, so current values are never stuck behind an hour of
 * history; the backlog follows in storage order with whatever the rate leaves. At most {@code
 * network.maxInFlight} publishes wait for an ack; the link paces them ({@code
 * network.maxMessagesPerSecond}, the realtime client's token bucket), so the order chosen here is
 * the order sent. A failed publish is retried (rewinding the cursor), so the consumer may see a
 * message twice and dedupes on {@code id}; a permanently failing one (too large, direct recipient
 * gone) is dropped with a log line. One thread, {@code uplink}.
 */
public final class Uplink implements AutoCloseable {
  private static final int READ_BATCH = 64;

  private final Outbox outbox;
  private final Link link;
  private final Clock clock;
  private final int maxInFlight;
  private final Object lock = new Object();
  private final Thread thread;

  // Guarded by lock.
  private boolean connected;
  private boolean closed;
  private long generation;
  private long boundary;
  private long liveCursor;
  private long backlogCursor;
  private final Map<Long, Row> inFlight = new HashMap<>();
  private final Set<Long> acked = new HashSet<>();

  private volatile long ackedTotal;
  private volatile long failedTotal;
  private volatile long discardedTotal;
  private volatile long lastAckMillis;

  /**
   * @param maxInFlight publishes waiting for an ack at most
   */
  public Uplink(Outbox outbox, Link link, Clock clock, int maxInFlight) {
    this.outbox = outbox;
    this.link = link;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.thread = new Thread(this::loop, "uplink");
    this.thread.setDaemon(true);
    outbox.onCommit(this::wake);
  }

  public void start() {
    thread.start();
  }

  /** The link has a fresh connection: everything stored now is backlog. */
  public void connected() {
    synchronized (lock) {
      generation++;
      connected = true;
      boundary = outbox.committedRid();
      liveCursor = boundary;
      backlogCursor = 0;
      inFlight.clear();
      // Acked rows stay known across reconnects: their deletes may still be pending in the outbox.
      lock.notifyAll();
    }
  }

  public void disconnected() {
    synchronized (lock) {
      connected = false;
      lock.notifyAll();
    }
  }

  private void wake() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private void loop() {
    while (true) {
      Row row;
      long gen;
      synchronized (lock) {
        row = null;
        while (!closed) {
          if (connected && inFlight.size() < maxInFlight) {
            row = next();
            if (row != null) {
              break;
            }
          }
          waitQuietly(1000);
        }
        if (closed) {
          return;
        }
        inFlight.put(row.rid(), row);
        gen = generation;
      }
      send(row, gen);
    }
  }

  private void waitQuietly(long millis) {
    try {
      lock.wait(millis);
    } catch (InterruptedException e) {
      closed = true;
    }
  }

  /** The next row to send: live first, then backlog; advances the matching cursor. */
  private Row next() {
    long committed = outbox.committedRid();
    if (committed > liveCursor) {
      Row r = firstSendable(outbox.read(liveCursor, Long.MAX_VALUE, READ_BATCH), true);
      if (r != null) {
        return r;
      }
    }
    if (backlogCursor < boundary) {
      return firstSendable(outbox.read(backlogCursor, boundary, READ_BATCH), false);
    }
    return null;
  }

  private Row firstSendable(List<Row> rows, boolean live) {
    for (Row r : rows) {
      if (live) {
        liveCursor = r.rid();
      } else {
        backlogCursor = r.rid();
      }
      if (!inFlight.containsKey(r.rid()) && !acked.contains(r.rid())) {
        return r;
      }
    }
    if (rows.isEmpty() && !live) {
      backlogCursor = boundary;
    }
    return null;
  }

  private void send(Row row, long gen) {
    CompletableFuture<Void> f;
    try {
      JsonElement data = Json.parse(row.body());
      f = row.to() != null ? link.send(row.to(), data) : link.publish(row.channel(), data);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((ok, err) -> done(row, gen, err));
  }

  private void done(Row row, long gen, Throwable err) {
    Throwable cause =
        err instanceof java.util.concurrent.CompletionException && err.getCause() != null
            ? err.getCause()
            : err;
    synchronized (lock) {
      boolean current = gen == generation;
      if (current) {
        inFlight.remove(row.rid());
      }
      if (cause == null) {
        ackedTotal++;
        lastAckMillis = clock.millis();
        if (current) {
          acked.add(row.rid());
          if (acked.size() > 100_000) {
            acked.clear();
          }
        }
        outbox.ack(row);
      } else if (link.classify(cause) == Link.Failure.PERMANENT
          || (row.to() != null && String.valueOf(cause.getMessage()).contains("peer_not_found"))) {
        discardedTotal++;
        Logger.warn(
            "dropped message {} to {}: {}",
            row.rid(),
            LogSafe.of(row.to() != null ? "peer " + row.to() : row.channel()),
            LogSafe.of(cause.getMessage()));
        outbox.discard(row);
      } else {
        failedTotal++;
        if (current && connected) {
          // Still connected (ack timeout, transient server error): resend from this row on.
          if (row.rid() <= boundary) {
            backlogCursor = Math.min(backlogCursor, row.rid() - 1);
          } else {
            liveCursor = Math.min(liveCursor, row.rid() - 1);
          }
        }
        Logger.debug("publish of {} failed, will retry: {}", row.rid(), LogSafe.of(cause));
      }
      lock.notifyAll();
    }
  }

  /** Figures for the status message and health. */
  public Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    synchronized (lock) {
      m.put("inFlight", inFlight.size());
      // True while the backlog of the last reconnect is still being replayed.
      m.put("replaying", backlogCursor < boundary);
    }
    m.put("acked", ackedTotal);
    m.put("retried", failedTotal);
    m.put("discarded", discardedTotal);
    if (lastAckMillis > 0) {
      m.put("lastAckAt", java.time.Instant.ofEpochMilli(lastAckMillis).toString());
    }
    return m;
  }

  /** When the server last acked anything (epoch millis), 0 if never. */
  public long lastAckMillis() {
    return lastAckMillis;
  }

  /** Waits until nothing is stored or in flight, or the deadline passes (used before a restart). */
  public boolean awaitDrained(long timeoutMillis) {
    long end = clock.millis() + timeoutMillis;
    while (clock.millis() < end) {
      synchronized (lock) {
        if (inFlight.isEmpty() && outbox.pendingMessages() == 0) {
          return true;
        }
        waitQuietly(50);
      }
    }
    return false;
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
