package io.outpost.agent.uplink;

import io.outpost.agent.internal.Json;
import io.outpost.agent.internal.LogSafe;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.outbox.Row;
import io.outpost.log.Logger;
import io.outpost.realtime.ReplayEnvelopeBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
 * gone) is dropped with a log line. One thread, {@code uplink}, and the committing thread for a
 * live row while that one sleeps (below).
 *
 * <p>Backlog rows of the events channel are packed into replay envelopes ({@link ReplayPack}, up to
 * the server's {@code maxMessageSize}), so a day offline drains in a few hundred network messages
 * instead of tens of thousands; live rows, direct messages and other channels go as they are. One
 * ack acks every row of an envelope, a failure retries them all; an envelope the server refuses
 * outright is sent again row by row.
 *
 * <p>The thread sleeps until something changes: a commit, a failure, a connect or disconnect, or an
 * ack that frees a place when as many messages (or envelopes) as allowed were in flight. It has no
 * timer of its own. A live row committed while it sleeps, on a healthy link with nothing stored, is
 * handed to the link by the committing thread instead (see {@link #committed}), without waking it.
 */
public final class Uplink implements AutoCloseable {
  private static final int READ_BATCH = 64;

  /** Backlog rows read at once while packing (a full envelope holds a few hundred small ones). */
  private static final int PACK_READ_BATCH = 256;

  /**
   * Envelopes waiting for an ack at most. Everything handed to the link waits in its pacer in
   * order, so a live message can queue behind this many; with four, behind 80 ms at 50 messages/s
   * instead of the 320 ms of sixteen, at the same drain rate while an ack takes under 80 ms. It
   * also bounds the text held for retries to four times {@code maxMessageSize}.
   */
  private static final int ENVELOPES_IN_FLIGHT = 4;

  /** When the outbox had rows but returned none (its store failed to read): try again after. */
  private static final long READ_RETRY_MILLIS = 1000;

  private final Outbox outbox;
  private final Link link;
  private final String deviceId;
  private final String eventsChannel;
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
  private int maxMessageSize;
  private long unpackedThrough;
  private boolean retryRead;
  private long emptyReadAt = -1;
  private int inFlightMessages;

  /** The uplink's thread waits for something to change (see {@link #committed}). */
  private boolean idle;

  private int envelopesInFlight;
  private final Map<Long, Row> inFlight = new HashMap<>();

  private volatile long ackedTotal;
  private volatile long failedTotal;
  private volatile long discardedTotal;
  private volatile long lastAckMillis;
  private volatile long messagesAcked;
  private volatile long replaysAcked;

  /**
   * @param maxInFlight publishes waiting for an ack at most (an envelope counts as one)
   * @param deviceId the device whose events channel ({@code devices/<deviceId>/events}) is packed
   */
  public Uplink(Outbox outbox, Link link, Clock clock, int maxInFlight, String deviceId) {
    this.outbox = outbox;
    this.link = link;
    this.deviceId = deviceId;
    this.eventsChannel = "devices/" + deviceId + "/events";
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.thread = new Thread(this::loop, "uplink");
    this.thread.setDaemon(true);
    outbox.onCommit(this::committed);
    // No link yet: no ack can come, so messages are written as they come until it is up.
    outbox.linkUp(false);
  }

  public void start() {
    thread.start();
  }

  /**
   * The link has a fresh connection: everything stored now is backlog.
   *
   * @param maxMessageSize the server's cap from its welcome, in bytes; 0 sends every row alone
   */
  public void connected(int maxMessageSize) {
    outbox.linkUp(true);
    synchronized (lock) {
      generation++;
      connected = true;
      this.maxMessageSize = maxMessageSize;
      boundary = outbox.committedRid();
      liveCursor = boundary;
      backlogCursor = 0;
      inFlight.clear();
      inFlightMessages = 0;
      envelopesInFlight = 0;
      lock.notifyAll();
    }
  }

  public void disconnected() {
    outbox.linkUp(false);
    synchronized (lock) {
      connected = false;
      lock.notifyAll();
    }
  }

  /**
   * The outbox's commit listener. On a healthy link a row is committed by the thread that appended
   * it (the sampler's, for telemetry) and waits in memory for its ack; while the uplink's thread is
   * idle, nothing stored needs reading (so no I/O here) and no backlog is being replayed, that
   * thread hands the row to the link right here: the link only queues it, and the uplink's thread
   * is spared a wake-up per message. Under the lock, so the order of sends stays the order taken.
   * Anything else, or more than that one row, wakes the uplink's thread as before.
   */
  private void committed() {
    synchronized (lock) {
      if (idle
          && connected
          && !closed
          && inFlightMessages < maxInFlight
          && backlogCursor >= boundary
          && outbox.nothingStored()) {
        Outgoing out = next();
        if (out != null) {
          take(out);
          send(out, generation);
          if (!retryRead && outbox.committedRid() <= liveCursor) {
            return;
          }
        }
      }
      lock.notifyAll();
    }
  }

  /** One network message: a single row as it is, or several packed into {@code envelope}. */
  private record Outgoing(List<Row> rows, String envelope) {
    Row first() {
      return rows.get(0);
    }

    Row last() {
      return rows.get(rows.size() - 1);
    }
  }

  private void loop() {
    while (true) {
      Outgoing out;
      long gen;
      synchronized (lock) {
        out = null;
        while (!closed) {
          retryRead = false;
          if (connected && inFlightMessages < maxInFlight) {
            out = next();
            if (out != null) {
              break;
            }
          }
          // Commits, failures, connects, disconnects, close and acks that free an in-flight place
          // all notify: no polling.
          idle = true;
          waitQuietly(retryRead ? READ_RETRY_MILLIS : 0);
          idle = false;
        }
        if (closed) {
          return;
        }
        take(out);
        gen = generation;
      }
      send(out, gen);
    }
  }

  /** Counts {@code out} in flight. Under the lock. */
  private void take(Outgoing out) {
    for (Row r : out.rows()) {
      inFlight.put(r.rid(), r);
    }
    inFlightMessages++;
    if (out.envelope() != null) {
      envelopesInFlight++;
    }
  }

  private void waitQuietly(long millis) {
    try {
      lock.wait(millis);
    } catch (InterruptedException e) {
      closed = true;
    }
  }

  /** The next message to send: live first, then backlog; advances the matching cursor. */
  private Outgoing next() {
    long committed = outbox.committedRid();
    while (committed > liveCursor) {
      long before = liveCursor;
      List<Row> rows = outbox.read(liveCursor, Long.MAX_VALUE, READ_BATCH);
      Row r = firstSendable(rows, true);
      if (r != null) {
        return new Outgoing(List.of(r), null);
      }
      if (rows.isEmpty()) {
        // Nothing readable below the committed rid: rows dropped meanwhile, or a failed read.
        // Try once more after a pause, then move on.
        if (emptyReadAt == committed) {
          liveCursor = committed;
        } else {
          emptyReadAt = committed;
          retryRead = true;
        }
        break;
      }
      if (liveCursor == before) {
        break;
      }
    }
    if (backlogCursor < boundary) {
      if (!packable()) {
        return single(firstSendable(backlogRows(READ_BATCH), false));
      }
      return envelopesInFlight < ENVELOPES_IN_FLIGHT ? nextPacked() : null;
    }
    return null;
  }

  private List<Row> backlogRows(int limit) {
    return outbox.read(backlogCursor, boundary, limit);
  }

  private boolean packable() {
    return maxMessageSize > 0;
  }

  private static Outgoing single(Row r) {
    return r == null ? null : new Outgoing(List.of(r), null);
  }

  /**
   * Backlog rows from the cursor on, as many as fit one envelope; a row that cannot go into one
   * (another channel, a direct message, too large alone, a damaged body, refused before) goes
   * alone, and ends the envelope before it.
   */
  private Outgoing nextPacked() {
    ReplayPack pack = null;
    List<Row> rows = backlogRows(PACK_READ_BATCH);
    if (rows.isEmpty()) {
      backlogCursor = boundary;
      return null;
    }
    while (!rows.isEmpty()) {
      for (Row r : rows) {
        if (inFlight.containsKey(r.rid())) {
          if (pack != null && !pack.rows().isEmpty()) {
            return packed(pack);
          }
          backlogCursor = r.rid();
          continue;
        }
        boolean packable = packable(r);
        if (packable && pack == null) {
          pack = new ReplayPack(deviceId, outbox.stream(), eventsChannel, maxMessageSize);
        }
        if (packable && pack.add(r) == ReplayEnvelopeBuilder.Added.YES) {
          backlogCursor = r.rid();
          continue;
        }
        if (pack != null && !pack.rows().isEmpty()) {
          return packed(pack);
        }
        backlogCursor = r.rid();
        return single(r);
      }
      if (rows.size() < PACK_READ_BATCH || backlogCursor >= boundary) {
        break;
      }
      rows = backlogRows(PACK_READ_BATCH);
    }
    return pack == null || pack.rows().isEmpty() ? null : packed(pack);
  }

  private boolean packable(Row r) {
    return r.to() == null && eventsChannel.equals(r.channel()) && r.rid() > unpackedThrough;
  }

  /** A pack of one is sent as it is: an envelope only when it saves messages. */
  private static Outgoing packed(ReplayPack pack) {
    List<Row> rows = pack.rows();
    return rows.size() == 1
        ? new Outgoing(List.of(rows.get(0)), null)
        : new Outgoing(new ArrayList<>(rows), pack.text());
  }

  private Row firstSendable(List<Row> rows, boolean live) {
    for (Row r : rows) {
      if (live) {
        liveCursor = r.rid();
      } else {
        backlogCursor = r.rid();
      }
      if (!inFlight.containsKey(r.rid())) {
        return r;
      }
    }
    if (rows.isEmpty() && !live) {
      backlogCursor = boundary;
    }
    return null;
  }

  private void send(Outgoing out, long gen) {
    CompletableFuture<Void> f;
    try {
      if (out.envelope() != null) {
        f = link.publishJson(eventsChannel, out.envelope());
      } else {
        Row row = out.first();
        // A channel message goes as its stored text (checked, not parsed into a tree and written
        // again); a direct message needs the tree the link's send takes.
        f =
            row.to() != null
                ? link.send(row.to(), Json.parse(row.body()))
                : link.publishJson(row.channel(), row.body());
      }
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((ok, err) -> done(out, gen, err));
  }

  private void done(Outgoing out, long gen, Throwable err) {
    Throwable cause =
        err instanceof java.util.concurrent.CompletionException && err.getCause() != null
            ? err.getCause()
            : err;
    synchronized (lock) {
      boolean current = gen == generation;
      // The loop waits for an ack only when it had to stop sending: as many messages or envelopes
      // in flight as allowed. Any other ack changes nothing it would do, so it sleeps on.
      boolean unblocks =
          current
              && (inFlightMessages >= maxInFlight
                  || (out.envelope() != null && envelopesInFlight >= ENVELOPES_IN_FLIGHT));
      if (current) {
        for (Row r : out.rows()) {
          inFlight.remove(r.rid());
        }
        inFlightMessages--;
        if (out.envelope() != null) {
          envelopesInFlight--;
        }
      }
      if (cause == null) {
        ackedTotal += out.rows().size();
        messagesAcked++;
        if (out.envelope() != null) {
          replaysAcked++;
        }
        lastAckMillis = clock.millis();
        // Under this lock, so no read of the outbox sees the row between its leaving inFlight and
        // the ack: the outbox leaves acked rows out of every read from here on.
        for (Row r : out.rows()) {
          outbox.ack(r);
        }
        if (unblocks) {
          lock.notifyAll();
        }
      } else {
        if (out.envelope() != null) {
          envelopeFailed(out, current, cause);
        } else {
          rowFailed(out.first(), current, cause);
        }
        lock.notifyAll(); // a cursor went back
      }
    }
  }

  /** Every row of the envelope is sent again; row by row if the server refused it outright. */
  private void envelopeFailed(Outgoing out, boolean current, Throwable cause) {
    failedTotal += out.rows().size();
    if (link.classify(cause) == Link.Failure.PERMANENT) {
      unpackedThrough = Math.max(unpackedThrough, out.last().rid());
      Logger.warn(
          "replay of messages {}..{} refused ({}); sending them one by one",
          out.first().rid(),
          out.last().rid(),
          LogSafe.of(cause.getMessage()));
    } else {
      Logger.debug(
          "replay of {}..{} failed, will retry: {}",
          out.first().rid(),
          out.last().rid(),
          LogSafe.of(cause));
    }
    if (current && connected) {
      backlogCursor = Math.min(backlogCursor, out.first().rid() - 1);
    }
  }

  private void rowFailed(Row row, boolean current, Throwable cause) {
    if (link.classify(cause) == Link.Failure.PERMANENT
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
      m.put(
          "lastAckAt",
          io.outpost.agent.internal.IsoInstant.format(
              java.time.Instant.ofEpochMilli(lastAckMillis)));
    }
    return m;
  }

  /** Network messages acked since the start: single rows and replay envelopes. */
  public long messagesAcked() {
    return messagesAcked;
  }

  /** Replay envelopes acked since the start (each stands for several rows). */
  public long replaysAcked() {
    return replaysAcked;
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
