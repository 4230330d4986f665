package io.outpost.agent.outbox;

import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import io.outpost.log.Logger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything the device says, in order, until the server acked it (architecture.md §2, §5).
 *
 * <p>{@link #append} never blocks on disk. Each message gets its {@code rid} (storage order) and —
 * on the device's events channel — its {@code stream}/{@code seq}/{@code id}: on the appending
 * thread in the common case, else on the writer thread, which also applies the bounds and announces
 * drops. The row is readable at once ({@link #read}) and <em>deferred</em>: written to the store
 * only if {@link #ack} has not said within {@code buffer.writeDelay} that the server acknowledged
 * it (then together with every other deferred row), so on a healthy link a message never touches
 * the disk. With a zero delay, while the link is down ({@link #linkUp}: no ack can come), or for
 * {@link #appendCommitted}, rows are written at once, what arrived within {@code
 * buffer.commitInterval} in one transaction (group commit). A stored row is deleted only after the
 * ack. A clean stop writes every unacked row.
 *
 * <p>When the store cannot be written (disk full, read-only, I/O error) the rows of the failed
 * round are <em>held</em> in memory and readable at once, so live data keeps flowing while what is
 * stored keeps draining; {@link Recovery} replaces the connection and the writer retries every
 * second until the rows are written. What is dropped and why is {@link Retention}'s decision; every
 * drop is announced in-band with a {@code buffer.dropped} message naming the exact seqs.
 *
 * <p>Seqs are reserved in the store ahead of use ({@link #RESERVE_BLOCK}) and never handed out
 * beyond the reservation, so a run that ends without a clean stop leaves a mark past every seq it
 * used: the next run starts after it and announces the seqs in between (reason {@code
 * uncleanStop}). Deferred rows lost that way (at most {@code buffer.writeDelay} of unacked ones)
 * are inside that announcement: no row is stored with a seq above a deferred row's, and the seq
 * recorded as known stays below every deferred one.
 *
 * <p>The writer thread sleeps until its next deadline — the first deferred row's write time, the
 * pending deletes, the age check while rows are stored — and without a timeout when there is none.
 * Thread-safe.
 */
public final class Outbox implements AutoCloseable {
  /**
   * Appends waiting for the writer beyond this are refused (telemetry) so a stuck disk cannot eat
   * the heap. Refused messages never get a seq, so they leave no gap.
   */
  static final int MAX_QUEUED = 20_000;

  /**
   * Seqs are reserved in the store this many at a time, ahead of use (one synced write per block),
   * so a run that ends without a clean stop — killed, power cut, or stopped while the store refused
   * writes — leaves a mark beyond every seq it handed out, and the next run starts after it.
   */
  static final long RESERVE_BLOCK = 10_000;

  /**
   * The last seqs of a reservation are kept for {@code buffer.dropped} announcements: messages wait
   * for the next block before them, so an announcement always has a seq.
   */
  static final long ANNOUNCE_RESERVE = 100;

  /** The reason of the announcement for seqs a run reserved but did not stop cleanly after. */
  static final String UNCLEAN_STOP = "uncleanStop";

  /**
   * Deferred messages are kept in memory up to this many bytes; beyond it they are all written at
   * once, so a long {@code buffer.writeDelay} or a burst of large messages cannot eat the heap.
   */
  static final long DEFERRED_MAX_BYTES = 2L * 1024 * 1024;

  private static final Duration AGE_CHECK = Duration.ofSeconds(10);
  private static final Duration RETRY = Duration.ofSeconds(1);

  /**
   * Acked rows are deleted together with the next insert, or after this long: a delete is never
   * urgent (a row acked but not yet deleted is at worst sent again after a crash, and consumers
   * dedupe on id), and riding along saves a transaction per message.
   */
  static final Duration DELETE_DELAY = Duration.ofSeconds(1);

  private final Store store;
  private final String deviceId;
  private final String eventsChannel;
  private final AgentConfig.Buffer limits;
  private final Clock clock;
  private final Retention retention;
  private final Recovery recovery;
  private final CommandResults results = new CommandResults();
  private final Object lock = new Object();
  private final Thread writer;

  private final List<Pending> queue = new ArrayList<>();
  // Stored rows to delete: acked by the server, or dropped (then no longer readable). rid -> size.
  private final Map<Long, Long> deletes = new HashMap<>();
  // Rows with their ids that are not in the store yet (the store refused them), by rid.
  private final TreeMap<Long, Row> held = new TreeMap<>();
  // Readable rows not written yet because their ack may still come in time, by rid (due ascending).
  private final TreeMap<Long, Deferred> deferred = new TreeMap<>();
  private final Quarantine quarantine = new Quarantine();
  // Announcements waiting for a seq (the reservation ran out while the store was unwritable).
  private final Drops carried = new Drops();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closing;
  // Whether the uplink is connected: rows wait for their ack only then (guarded by lock).
  private boolean linkUp = true;
  private boolean closed;

  // Guarded by lock.
  private String stream;
  private long nextSeq;
  // Seqs up to here are durably reserved; none beyond is handed out.
  private long reservedSeq;
  private long nextRid;
  // Rows in the store, exactly (deletes count only once the store deleted them), so a read can
  // skip the store when it holds none: on a healthy link nothing is ever stored. False after a
  // failed write (whether it reached the file is unknown) until a count from the store.
  private long rows;
  private boolean rowsExact = true;
  private long bytes;
  private long heldBytes;
  private long deferredBytes;
  // The lowest seq among the deferred rows (MAX_VALUE: none). Seqs are handed out in rid order,
  // so it is the first deferred row's with a seq; deferredMaxSeq checks that as rows are added,
  // and a row out of that order (none is expected) falls back to a scan until deferred empties.
  private long deferredMinSeq = Long.MAX_VALUE;
  private long deferredMaxSeq;
  private boolean deferredSeqsOrdered = true;
  // When the waiting writer wakes by itself (nanoTime; MAX_VALUE: only when notified; MIN_VALUE:
  // it is awake and looks at everything before it waits again).
  private long writerWakeNanos = Long.MIN_VALUE;
  private long committedRid;
  private long lastAgeCheck;
  private long droppedTotal;
  private long refusedTotal;
  private String recoveryNote;
  private long firstDeleteMillis;
  private volatile long lastCommitMillis;

  /** Waiting for the writer; {@code committed} (may be null) completes once the row is durable. */
  private record Pending(
      int cls,
      String channel,
      String to,
      JsonObject data,
      long createdMillis,
      java.util.concurrent.CompletableFuture<Void> committed) {}

  /** A row waiting for its ack, to be written at {@code dueNanos} ({@link System#nanoTime}). */
  private record Deferred(Row row, long dueNanos) {}

  /**
   * Commit promises of rows taken by the writer but not written yet (held after a failed write).
   * Guarded by lock.
   */
  private final List<java.util.concurrent.CompletableFuture<Void>> promises = new ArrayList<>();

  /** An outbox over {@code store} (tests count what reaches it). */
  static Outbox open(Store store, String deviceId, AgentConfig.Buffer limits, Clock clock)
      throws OutboxException {
    try {
      return new Outbox(store, deviceId, limits, clock);
    } catch (Store.StoreException e) {
      throw new OutboxException(e.getMessage(), e);
    }
  }

  private Outbox(Store store, String deviceId, AgentConfig.Buffer limits, Clock clock)
      throws Store.StoreException {
    this.store = store;
    this.deviceId = deviceId;
    this.eventsChannel = "devices/" + deviceId + "/events";
    this.limits = limits;
    this.clock = clock;
    this.retention = new Retention(limits);
    this.recovery = new Recovery(store, retention);
    adopt(store.open());
    this.writer = new Thread(this::writeLoop, "outbox-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  private void adopt(Store.Opened o) {
    stream = o.stream();
    nextSeq = o.nextSeq();
    reservedSeq = nextSeq - 1;
    if (o.lastKnownSeq() < nextSeq - 1) {
      // The last run reserved these and did not stop cleanly: some may have been delivered, some
      // lost, some never used. They are announced, and never handed out again.
      Logger.warn(
          "outbox: the last run did not stop cleanly; seqs {}..{} are skipped and announced",
          o.lastKnownSeq() + 1,
          nextSeq - 1);
      for (long s = o.lastKnownSeq() + 1; s < nextSeq; s++) {
        carried.add(s, UNCLEAN_STOP);
      }
    }
    nextRid = Math.max(nextRid, o.nextRid());
    rows = o.rows();
    rowsExact = true;
    bytes = o.bytes();
    committedRid = Math.max(committedRid, o.nextRid() - 1);
    quarantine.opened(o.nextRid() - 1);
    recoveryNote = o.recovery();
  }

  /**
   * Opens the outbox in {@code stateDir} (durable) or in memory, per {@code limits.durable()}.
   *
   * @throws OutboxException when the state directory is unusable (a damaged file is repaired, not
   *     fatal)
   */
  public static Outbox open(Path stateDir, String deviceId, AgentConfig.Buffer limits, Clock clock)
      throws OutboxException {
    try {
      return new Outbox(
          limits.durable() ? new SqliteStore(stateDir) : new MemoryStore(),
          deviceId,
          limits,
          clock);
    } catch (Store.StoreException e) {
      throw new OutboxException(e.getMessage(), e);
    }
  }

  /** Thrown when the store cannot be opened at all. */
  public static final class OutboxException extends Exception {
    OutboxException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The stream id of this state directory. */
  public String stream() {
    synchronized (lock) {
      return stream;
    }
  }

  /**
   * The uplink's connection came up or went down. Messages wait for their ack before they are
   * written only while it is up: without a link no ack can come, so what waits is written at once
   * and new messages are written as they come (group commit), not a {@code buffer.writeDelay}
   * later. Up until told otherwise, so an outbox without an uplink (tests) defers.
   */
  public void linkUp(boolean up) {
    synchronized (lock) {
      if (linkUp != up) {
        linkUp = up;
        lock.notifyAll(); // the writer writes what waits
      }
    }
  }

  /**
   * Called whenever rows became readable: on the writer thread after a round, or on the thread that
   * appended a deferred message. Never under the outbox's lock; must not block.
   */
  public void onCommit(Runnable listener) {
    listeners.add(listener);
  }

  /** Queues a telemetry message ({@code type} {@code telemetry}) for the events channel. */
  public void appendTelemetry(JsonObject data) {
    append(Row.TELEMETRY, eventsChannel, null, data);
  }

  /**
   * Queues a telemetry message given as its JSON text: one object with {@code type} and {@code
   * device} and without {@code stream}, {@code seq} or {@code id} (what {@code
   * TelemetryEnvelope#text} makes). On a healthy link the stored text is that text with the ids
   * appended, as {@link #appendTelemetry(JsonObject)} stores the same message, without a tree being
   * built and serialised on the way; otherwise it is parsed and queued as that tree.
   */
  public void appendTelemetry(String json) {
    if (appendDeferredText(json)) {
      notifyListeners();
    }
  }

  /** Queues an event, status or command result for the events channel (kept under overflow). */
  public void appendEvent(JsonObject data) {
    append(Row.EVENT, eventsChannel, null, data);
  }

  /** Queues {@code data} for another channel (no stream sequence; kept under overflow). */
  public void appendTo(String channel, JsonObject data) {
    append(Row.EVENT, channel, null, data);
  }

  /** Queues a direct message to {@code peerId} (no stream sequence). */
  public void appendDirect(String peerId, JsonObject data) {
    append(Row.EVENT, null, peerId, data);
  }

  /**
   * Queues {@code data} for {@code channel} like {@link #appendTo} (or {@link #appendEvent} for the
   * events channel) and completes the returned future once the row is written to the store, so a
   * bridge can acknowledge its source only when nothing can be lost any more (such a row is never
   * deferred). Completes exceptionally when the outbox closes before that.
   */
  public java.util.concurrent.CompletableFuture<Void> appendCommitted(
      String channel, JsonObject data) {
    var committed = new java.util.concurrent.CompletableFuture<Void>();
    enqueue(Row.EVENT, channel, null, data, committed);
    return committed;
  }

  private void append(int cls, String channel, String to, JsonObject data) {
    if (appendDeferred(cls, channel, to, data)) {
      notifyListeners();
    }
  }

  /**
   * The common case on a healthy link, without waking the writer: the message gets its ids here and
   * is deferred at once. Anything else (a write, a reservation, drops or announcements due,
   * messages queued before it) goes through the writer's queue.
   *
   * @return whether it was deferred here (else it was queued, or refused)
   */
  private boolean appendDeferred(int cls, String channel, String to, JsonObject data) {
    return appendDeferred(cls, channel, to, data, null);
  }

  /**
   * {@link #appendDeferred} for a telemetry message's text (see {@link #appendTelemetry(String)}).
   */
  private boolean appendDeferredText(String json) {
    return appendDeferred(Row.TELEMETRY, eventsChannel, null, null, json);
  }

  /**
   * @param data the message, or null when {@code json} is given instead
   * @param json null, or a telemetry message's text (parsed only when it is not deferred here)
   */
  private boolean appendDeferred(int cls, String channel, String to, JsonObject data, String json) {
    synchronized (lock) {
      boolean events = eventsChannel.equals(channel);
      if (closed
          || closing
          || limits.writeDelay().isZero()
          || !linkUp
          || !queue.isEmpty()
          || !recovery.writable()
          || !carried.isEmpty()
          || quarantine.announcementsDue()
          || (events && reservedSeq - (nextSeq - 1) < RESERVE_BLOCK / 2)) {
        enqueue(cls, channel, to, data != null ? data : parse(json), null);
        return false;
      }
      long s = events ? nextSeq : 0;
      String text = json != null ? stampedTelemetryText(json, s) : stampedText(data, s);
      Row r = new Row(nextRid, cls, channel, to, s, clock.millis(), text);
      if (bytes + deferredBytes + r.size() > retention.bound()
          || deferredBytes + r.size() > DEFERRED_MAX_BYTES) {
        // The writer applies the overflow policy, or writes what waits in memory.
        enqueue(cls, channel, to, data != null ? data : parse(json), null);
        return false;
      }
      if (events) {
        nextSeq++;
      }
      nextRid++;
      committedRid = r.rid();
      long due = System.nanoTime() + limits.writeDelay().toNanos();
      putDeferred(r, due);
      if (due < writerWakeNanos) {
        lock.notifyAll(); // the writer sleeps past this row's window (or without a timeout)
      }
      return true;
    }
  }

  /** For the writer: it assigns the ids, applies the bounds and writes or defers. */
  private void enqueue(
      int cls,
      String channel,
      String to,
      JsonObject data,
      java.util.concurrent.CompletableFuture<Void> committed) {
    synchronized (lock) {
      if (closed) {
        Logger.warn(
            "outbox closed; dropping a {} message",
            data.has("type") ? data.get("type").getAsString() : "typeless");
        if (committed != null) {
          committed.completeExceptionally(new IllegalStateException("outbox closed"));
        }
        return;
      }
      if (queue.size() >= MAX_QUEUED && cls == Row.TELEMETRY) {
        refusedTotal++;
        return;
      }
      queue.add(new Pending(cls, channel, to, data.deepCopy(), clock.millis(), committed));
      lock.notifyAll();
    }
  }

  /**
   * Readable rows after {@code afterRid} up to {@code maxRid}, ascending: committed rows, rows
   * deferred (waiting for their ack before they are written) and rows held in memory while the
   * store cannot be written; not rows already acked or dropped. A stored row that cannot be sent
   * (unparsable body, no destination) is moved aside and announced instead. Empty when none; if the
   * store cannot be read, only held rows.
   */
  public List<Row> read(long afterRid, long maxRid, int limit) {
    synchronized (lock) {
      if (closed || limit <= 0) {
        return List.of();
      }
      long upTo = Math.min(maxRid, committedRid);
      List<Row> out = new ArrayList<>();
      long cursor = afterRid;
      boolean exhausted = false;
      try {
        // Nothing stored (the common case on a healthy link: every row is deferred until its ack
        // comes): no query.
        exhausted = rows == 0 && rowsExact;
        while (!exhausted && out.size() < limit && cursor < upTo) {
          List<Row> page = store.read(cursor, upTo, limit);
          for (Row r : page) {
            cursor = r.rid();
            if (!deletes.containsKey(r.rid()) && sendable(r)) {
              out.add(r);
            }
          }
          if (page.size() < limit) {
            exhausted = true;
            break;
          }
        }
        exhausted |= cursor >= upTo;
        quarantine.scanned(afterRid, exhausted ? upTo : cursor);
      } catch (Store.StoreException e) {
        if (recovery.readFailed(e) == Recovery.Action.REOPEN) {
          reopen();
        }
        lock.notifyAll(); // the writer probes the store again
        exhausted = true;
      }
      long through = exhausted ? upTo : cursor;
      if (out.isEmpty() && held.isEmpty()) {
        // Only deferred rows (a healthy link): already in rid order, and no more than asked for.
        for (Deferred d : deferred.subMap(afterRid, false, through, true).values()) {
          if (out.size() == limit) {
            break;
          }
          out.add(d.row());
        }
        return out;
      }
      if (!held.isEmpty() || !deferred.isEmpty()) {
        out.addAll(held.subMap(afterRid, false, through, true).values());
        deferred.subMap(afterRid, false, through, true).values().forEach(d -> out.add(d.row()));
        out.sort((a, b) -> Long.compare(a.rid(), b.rid()));
      }
      return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }
  }

  /** Checks a row loaded from disk once; moves it aside when it can never be sent. */
  private boolean sendable(Row r) {
    String why = quarantine.problem(r);
    if (why == null) {
      return true;
    }
    if (quarantine.isolate(store, r, why)) {
      rows--;
      bytes -= r.size();
    } else {
      deletes.put(r.rid(), r.size()); // cannot be moved now: deleted with the next write
    }
    lock.notifyAll(); // the writer announces it
    return false;
  }

  /** The highest readable rid (everything up to here can be read). */
  public long committedRid() {
    synchronized (lock) {
      return committedRid;
    }
  }

  /**
   * The server acknowledged {@code row}: it no longer counts as pending. A row not written yet is
   * forgotten (no transaction); a stored one is deleted with the next insert, or after {@link
   * #DELETE_DELAY} at the latest.
   */
  public void ack(Row row) {
    synchronized (lock) {
      Deferred d = deferred.remove(row.rid());
      if (d != null) {
        deferredBytes -= row.size();
        if (row.seq() == deferredMinSeq) {
          deferredMinSeq = lowestDeferredSeq();
        }
        return;
      }
      if (held.remove(row.rid()) != null) {
        heldBytes -= row.size();
        return;
      }
      if (deletes.isEmpty()) {
        firstDeleteMillis = clock.millis();
        lock.notifyAll(); // the writer has a deadline now
      }
      deletes.put(row.rid(), row.size());
    }
  }

  private static long minSeq(TreeMap<Long, Deferred> rows) {
    long min = Long.MAX_VALUE;
    for (Deferred d : rows.values()) {
      if (d.row().seq() > 0) {
        min = Math.min(min, d.row().seq());
      }
    }
    return min;
  }

  /** A direct message whose recipient is gone: delete without sending (same as an ack). */
  public void discard(Row row) {
    ack(row);
  }

  /** Results of commands already handled, for idempotency across restarts. */
  public Optional<String> commandResult(String id) {
    synchronized (lock) {
      try {
        return closed ? Optional.empty() : results.get(store, id);
      } catch (Store.StoreException e) {
        recovery.readFailed(e);
        lock.notifyAll();
        return Optional.empty();
      }
    }
  }

  /**
   * Remembers a command's result (JSON) so a repeat of {@code id} is answered, not run; kept in
   * memory until the store can take it.
   */
  public void putCommandResult(String id, String resultJson) {
    synchronized (lock) {
      try {
        if (!closed) {
          results.put(store, id, resultJson, clock.millis());
        }
      } catch (Store.StoreException e) {
        recovery.writeFailed(e, bytes);
        lock.notifyAll();
      }
    }
  }

  /** Forgets command results older than {@code age}. */
  public void pruneCommandResults(Duration age) {
    synchronized (lock) {
      try {
        if (!closed) {
          results.prune(store, clock.millis() - age.toMillis());
        }
      } catch (Store.StoreException e) {
        recovery.writeFailed(e, bytes);
        lock.notifyAll();
      }
    }
  }

  private void writeLoop() {
    while (true) {
      boolean groupCommit;
      synchronized (lock) {
        while (!closed && !closing) {
          long wait = untilNextDeadline();
          if (wait <= 0) {
            break;
          }
          writerWakeNanos =
              wait == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + wait * 1_000_000;
          try {
            lock.wait(wait == Long.MAX_VALUE ? 0 : wait); // 0: until something arrives
          } catch (InterruptedException e) {
            // close() interrupts: the loop sees closing (or closed after halt())
          } finally {
            writerWakeNanos = Long.MIN_VALUE;
          }
        }
        if (closed) {
          return;
        }
        groupCommit = !closing && !queue.isEmpty() && writesAtOnce();
      }
      // Group commit: let more messages and acks arrive before the transaction. Deferred rows need
      // no transaction, so no wait either.
      if (groupCommit && !limits.commitInterval().isZero()) {
        sleep(limits.commitInterval());
      }
      boolean readable;
      boolean writable;
      synchronized (lock) {
        if (closed) {
          return; // halted
        }
        readable = round();
        writable = recovery.writable();
        if (closing) {
          // One last round was made; what is still held now cannot be kept.
          finish();
          return;
        }
      }
      if (readable) {
        notifyListeners();
      }
      if (!writable && !closing) {
        sleep(RETRY);
      }
    }
  }

  /** Outside the lock: a listener may take its own lock and then call {@link #read}. */
  private void notifyListeners() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        Logger.error("outbox listener failed: {}", e.toString());
      }
    }
  }

  /**
   * Milliseconds until the writer has something to do: 0 when it has now, {@link Long#MAX_VALUE}
   * when nothing is pending. Under the lock.
   */
  private long untilNextDeadline() {
    if (!queue.isEmpty()
        || !recovery.writable()
        || quarantine.announcementsDue()
        || !carried.isEmpty()
        || (!linkUp && !deferred.isEmpty())) {
      return 0;
    }
    long now = clock.millis();
    long wait = Long.MAX_VALUE;
    if (!deletes.isEmpty()) {
      wait = firstDeleteMillis + DELETE_DELAY.toMillis() - now;
    }
    if (rows > 0) {
      // Only stored rows age out: deferred ones are written or acked long before.
      wait = Math.min(wait, lastAgeCheck + AGE_CHECK.toMillis() - now);
    }
    if (!deferred.isEmpty()) {
      long nanos = deferred.firstEntry().getValue().dueNanos() - System.nanoTime();
      wait = Math.min(wait, nanos <= 0 ? 0 : Math.max(1, nanos / 1_000_000));
    }
    return wait;
  }

  /** Whether queued rows are written in the next round rather than deferred. Under the lock. */
  private boolean writesAtOnce() {
    return limits.writeDelay().isZero() || !linkUp || !recovery.writable() || anyCommitted();
  }

  // Loops rather than streams on the paths every round takes: the streams' pipeline classes would
  // be loaded for this alone on the default profile (docs/performance.md, "Memory").
  private boolean anyCommitted() {
    for (Pending p : queue) {
      if (p.committed() != null) {
        return true;
      }
    }
    return false;
  }

  private static long sizeOf(List<Row> rows) {
    long size = 0;
    for (Row r : rows) {
      size += r.size();
    }
    return size;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      // closing: finish the round
    }
  }

  private void finish() {
    if (!held.isEmpty()) {
      Logger.error(
          "outbox: {} messages (seq {}..{}) could not be written before the stop and are lost;"
              + " the next start announces them and never reuses their seqs",
          held.size(),
          held.values().stream().mapToLong(Row::seq).filter(s -> s > 0).min().orElse(0),
          held.values().stream().mapToLong(Row::seq).max().orElse(0));
    }
    var lost = new IllegalStateException("outbox closed before the message was written");
    promises.forEach(f -> f.completeExceptionally(lost));
    promises.clear();
    queue.stream()
        .filter(p -> p.committed() != null)
        .forEach(p -> p.committed().completeExceptionally(lost));
    closed = true;
    lock.notifyAll();
  }

  /**
   * One writer round: assigns ids to what was queued, applies the bounds, announces drops and
   * writes; on failure keeps the rows held (readable) for the next round.
   *
   * @return whether new rows became readable
   */
  private boolean round() {
    long now = clock.millis();
    long nowNanos = System.nanoTime();
    reserveAhead();
    long seq = nextSeq;
    long rid = nextRid;
    // New rows wait for their ack only while the link is up, the store takes writes and no stop is
    // under way.
    boolean defer = !limits.writeDelay().isZero() && linkUp && recovery.writable() && !closing;
    List<Row> inserts = new ArrayList<>(held.values());
    if (!deferred.isEmpty()
        && (!defer || deferred.firstEntry().getValue().dueNanos() <= nowNanos)) {
      // The first one's ack is late: the link is down or slow, so the rest are written with it
      // (one transaction instead of one per row).
      deferred.values().forEach(d -> inserts.add(d.row()));
      clearDeferred();
    }
    Set<Long> deferrable = new java.util.HashSet<>();
    int taken = 0;
    for (Pending p : queue) {
      long s = 0;
      JsonObject d = p.data();
      if (eventsChannel.equals(p.channel())) {
        if (seq > reservedSeq - ANNOUNCE_RESERVE) {
          break; // no seq may be handed out beyond the reservation: wait for the next block
        }
        s = seq++;
        stamp(d, s);
      }
      if (p.committed() != null) {
        promises.add(p.committed());
      } else if (defer) {
        deferrable.add(rid);
      }
      inserts.add(
          new Row(rid++, p.cls(), p.channel(), p.to(), s, p.createdMillis(), Json.write(d)));
      taken++;
    }
    boolean added = taken > 0;
    queue.subList(0, taken).clear();
    Drops drops = new Drops();
    drops.addAll(carried);
    carried.clear();
    quarantine.drainInto(drops);
    // Bounds: the store's (lowered while the disk is full), then memory's while nothing is written.
    long deleting = 0;
    for (long d : deletes.values()) {
      deleting += d;
    }
    long projected = bytes + deferredBytes + sizeOf(inserts) - deleting;
    if (projected > retention.bound()) {
      if (!deferred.isEmpty()) {
        // Deferred rows are older than the new ones: the overflow policy chooses among all.
        deferred.values().forEach(d -> inserts.add(d.row()));
        clearDeferred();
      }
      inserts.sort((a, b) -> Long.compare(a.rid(), b.rid()));
      retention.shrink(projected, store, inserts, deletes, drops);
    }
    if (now - lastAgeCheck >= AGE_CHECK.toMillis()) {
      lastAgeCheck = now;
      retention.expire(now, store, deletes, drops);
    }
    if (!recovery.writable()) {
      retention.shrinkHeld(inserts, drops);
    }
    nextSeq = seq;
    nextRid = rid;
    List<Row> notices = announcements(drops, now);
    inserts.addAll(notices);
    added |= !notices.isEmpty();
    seq = nextSeq;
    rid = nextRid;
    if (!deferrable.isEmpty() || !deferred.isEmpty()) {
      deferNew(inserts, deferrable, nowNanos);
    }
    if (deferredBytes > DEFERRED_MAX_BYTES) {
      // Many or large messages (a camera's chunks) within one window: the heap comes first.
      deferred.values().forEach(d -> inserts.add(d.row()));
      clearDeferred();
    }
    // The ids are taken (nextSeq, nextRid), written or not: the rows are delivered from memory if
    // the store refuses them, so no seq is ever handed out twice or left unaccounted for.
    // Seqs from here on may be lost with this process; the next run announces them.
    long knownSeq = Math.min(Math.min(seq, carried.firstSeq()), deferredMinSeq);
    if (!recovery.writable() && !deletes.isEmpty()) {
      // Free space before asking for more: a delete-only transaction may pass where the full
      // round would not. The seq it records stays below the unwritten rows, whose seqs the next
      // run must announce if they are lost.
      long unwritten = inserts.stream().mapToLong(Row::seq).filter(s -> s > 0).min().orElse(seq);
      write(List.of(), now, Math.min(unwritten, knownSeq));
    }
    held.clear();
    heldBytes = 0;
    // Nothing to write while writable: no transaction. While not writable an empty round is the
    // probe that finds out whether the store takes writes again.
    Recovery.Action failed =
        inserts.isEmpty() && deletes.isEmpty() && recovery.writable()
            ? null
            : write(inserts, now, knownSeq);
    if (failed != null) {
      // What the store refused waits in memory, bounded now rather than a retry later: a round
      // that found out may carry a whole window of deferred rows. The drops are announced at once.
      List<Row> keep = new ArrayList<>(inserts);
      Drops late = new Drops();
      retention.shrinkHeld(keep, late);
      List<Row> lateNotices = announcements(late, now);
      keep.addAll(lateNotices);
      added |= !lateNotices.isEmpty();
      for (Row r : keep) {
        held.put(r.rid(), r);
        heldBytes += r.size();
      }
    }
    committedRid = Math.max(committedRid, nextRid - 1);
    if (failed == null && !promises.isEmpty()) {
      // Written: what a bridge waits for before it acknowledges its source.
      promises.forEach(f -> f.complete(null));
      promises.clear();
    }
    if (failed == Recovery.Action.REOPEN) {
      reopen();
    }
    return added || (failed == null && !inserts.isEmpty());
  }

  /**
   * Moves the {@code deferrable} rows out of {@code inserts} into the deferred set. A row written
   * now with a seq above a deferred row's would make the next start (after a kill) take that seq as
   * known and not announce it: such deferred rows are written now too.
   */
  private void deferNew(List<Row> inserts, Set<Long> deferrable, long nowNanos) {
    long due = nowNanos + limits.writeDelay().toNanos();
    long maxWritten = 0;
    var it = inserts.iterator();
    while (it.hasNext()) {
      Row r = it.next();
      if (deferrable.contains(r.rid())) {
        putDeferred(r, due);
        it.remove();
      } else {
        maxWritten = Math.max(maxWritten, r.seq());
      }
    }
    if (maxWritten > 0) {
      var dit = deferred.values().iterator();
      while (dit.hasNext()) {
        Row r = dit.next().row();
        if (r.seq() > 0 && r.seq() < maxWritten) {
          inserts.add(r);
          deferredBytes -= r.size();
          dit.remove();
        }
      }
    }
    deferredMinSeq = lowestDeferredSeq();
  }

  private void putDeferred(Row r, long dueNanos) {
    if (deferred.isEmpty()) {
      deferredSeqsOrdered = true;
      deferredMaxSeq = 0;
    } else if (r.rid() < deferred.lastKey()) {
      deferredSeqsOrdered = false;
    }
    deferred.put(r.rid(), new Deferred(r, dueNanos));
    deferredBytes += r.size();
    if (r.seq() > 0) {
      if (r.seq() < deferredMaxSeq) {
        deferredSeqsOrdered = false;
      }
      deferredMaxSeq = Math.max(deferredMaxSeq, r.seq());
      deferredMinSeq = Math.min(deferredMinSeq, r.seq());
    }
  }

  /**
   * The lowest seq among the deferred rows: the first one's with a seq while they are in seq order
   * (rows of other channels, seq 0, are skipped; there are few), else a scan of all.
   */
  private long lowestDeferredSeq() {
    if (!deferredSeqsOrdered) {
      return minSeq(deferred);
    }
    for (Deferred d : deferred.values()) {
      if (d.row().seq() > 0) {
        return d.row().seq();
      }
    }
    return Long.MAX_VALUE;
  }

  private void clearDeferred() {
    deferred.clear();
    deferredBytes = 0;
    deferredMinSeq = Long.MAX_VALUE;
    deferredMaxSeq = 0;
    deferredSeqsOrdered = true;
  }

  /**
   * One {@code buffer.dropped} row per range, taking the next seqs and rids; a range waits in
   * {@link #carried} while the reservation has no seq left for it.
   */
  private List<Row> announcements(Drops drops, long now) {
    List<Row> out = new ArrayList<>();
    for (Drops.Range r : drops.ranges()) {
      if (nextSeq > reservedSeq) {
        carried.add(r); // announced once the reservation is extended
        continue;
      }
      JsonObject d = new JsonObject();
      d.addProperty("type", "buffer.dropped");
      d.addProperty("device", deviceId);
      d.addProperty("stream", stream);
      if (r.fromSeq() > 0) {
        d.addProperty("fromSeq", r.fromSeq());
        d.addProperty("toSeq", r.toSeq());
      }
      d.addProperty("count", r.count());
      d.addProperty("reason", r.reason());
      long s = nextSeq++;
      stamp(d, s);
      out.add(new Row(nextRid++, Row.EVENT, eventsChannel, null, s, now, Json.write(d)));
      if (!UNCLEAN_STOP.equals(r.reason())) {
        droppedTotal += r.count(); // an unclean stop's range is an upper bound, not a count
      }
      Logger.warn(
          "outbox dropped {} messages (seq {}..{}): {}",
          r.count(),
          r.fromSeq(),
          r.toSeq(),
          r.reason());
    }
    return out;
  }

  /**
   * Extends the durable seq reservation by a block once less than half a block is left. While the
   * store refuses writes the rest of the block is used; once it is used up (short of the seqs kept
   * for announcements) messages for the events channel wait in the queue.
   */
  private void reserveAhead() {
    long left = reservedSeq - (nextSeq - 1);
    if (left >= RESERVE_BLOCK / 2 || (!recovery.writable() && left > ANNOUNCE_RESERVE)) {
      return;
    }
    long through = nextSeq - 1 + RESERVE_BLOCK;
    try {
      store.reserve(through);
      reservedSeq = through;
    } catch (Store.StoreException e) {
      if (recovery.writeFailed(e, bytes) == Recovery.Action.REOPEN) {
        reopen();
      }
    }
  }

  /**
   * Writes {@code inserts} and the pending deletes in one transaction, recording {@code knownSeq}
   * as the next seq not yet stored or delivered.
   *
   * @return null when written, else what recovery asks for
   */
  private Recovery.Action write(List<Row> inserts, long now, long knownSeq) {
    Map<Long, Long> dels = deletes.isEmpty() ? Map.of() : new HashMap<>(deletes);
    try {
      Set<Long> done = store.commit(inserts, dels.keySet(), knownSeq, nextRid);
      dels.keySet().forEach(deletes::remove);
      if (rowsExact && done.size() == dels.size()) {
        long freed = 0;
        for (long d : dels.values()) {
          freed += d;
        }
        bytes += sizeOf(inserts) - freed;
        rows += inserts.size() - dels.size();
      } else {
        // A row in the delete set the store did not have (acked twice, or a repaired file system
        // lost its last, unsynced commits), or a failed write before: count instead of guessing,
        // so a row is neither counted as pending forever nor skipped by a read.
        recount();
      }
      lastCommitMillis = now;
      recovery.wrote(now);
    } catch (Store.StoreException e) {
      rowsExact = false;
      return recovery.writeFailed(e, bytes);
    }
    if (results.unwritten() > 0) {
      try {
        results.flush(store);
      } catch (Store.StoreException e) {
        return recovery.writeFailed(e, bytes);
      }
    }
    return null;
  }

  /** Takes the stored row count from the store; on failure reads keep asking the store. */
  private void recount() {
    try {
      Store.Count c = store.count();
      rows = c.rows();
      bytes = c.bytes();
      rowsExact = true;
    } catch (Store.StoreException e) {
      rowsExact = false;
      Logger.debug("outbox: counting the stored rows failed: {}", e.getMessage());
    }
  }

  /**
   * The JSON text of {@code data} as {@link #stamp} would make it (for {@code s > 0}), without
   * copying the caller's tree: ids the message does not carry yet go at its end, which is where
   * {@link JsonObject#addProperty} puts them. Only a message that already has a {@code stream} or
   * {@code seq} (replaced in place) is copied and stamped.
   */
  private String stampedText(JsonObject data, long s) {
    if (s == 0) {
      return Json.write(data);
    }
    if (data.has("stream") || data.has("seq")) {
      JsonObject d = data.deepCopy();
      stamp(d, s);
      return Json.write(d);
    }
    return withIds(Json.write(data), data.size() == 0, !data.has("device"), s, !data.has("id"));
  }

  /**
   * A telemetry message's text as {@link #stampedText} makes it of the same message's tree: it
   * carries {@code device} and no ids, so they go at its end.
   */
  private String stampedTelemetryText(String json, long s) {
    return withIds(json, false, false, s, true);
  }

  /**
   * {@code text}, one JSON object ({@code empty} when it has no member), with {@code device} (when
   * asked), {@code stream}, {@code seq} and {@code id} (when asked) added before its closing brace.
   */
  private String withIds(String text, boolean empty, boolean device, long s, boolean id) {
    StringBuilder sb = new StringBuilder(text.length() + 128).append(text, 0, text.length() - 1);
    String sep = empty ? "" : ",";
    if (device) {
      sb.append(sep).append("\"device\":").append(Json.quote(deviceId));
      sep = ",";
    }
    sb.append(sep).append("\"stream\":").append(Json.quote(stream));
    sb.append(",\"seq\":").append(s);
    if (id) {
      sb.append(",\"id\":").append(Json.quote(messageId(s)));
    }
    return sb.append('}').toString();
  }

  /** A message given as text, as the tree the writer's queue takes. */
  private static JsonObject parse(String json) {
    return com.google.gson.JsonParser.parseString(json).getAsJsonObject();
  }

  private void stamp(JsonObject d, long s) {
    if (!d.has("device")) {
      d.addProperty("device", deviceId);
    }
    d.addProperty("stream", stream);
    d.addProperty("seq", s);
    if (!d.has("id")) {
      d.addProperty("id", messageId(s));
    }
  }

  /** The id a message gets when it carries none: unique per device, stream and seq. */
  private String messageId(long s) {
    return deviceId + ":" + stream + ":" + s;
  }

  /** The file is damaged: open it again (moved aside and salvaged); held rows get new rids. */
  private void reopen() {
    try {
      store.close();
      String why = recovery.lastError();
      String oldStream = stream;
      adopt(store.open());
      if (recoveryNote == null) {
        recoveryNote =
            "store could not be used ("
                + why
                + "); opened it afresh, new stream "
                + stream
                + " (was "
                + oldStream
                + ")";
        Logger.error("outbox: {}", recoveryNote);
      }
      // Rows waiting in memory keep their bodies (old stream ids) but get fresh storage positions;
      // deferred ones are written with the held ones.
      List<Row> renumbered = new ArrayList<>(held.values());
      deferred.values().forEach(d -> renumbered.add(d.row()));
      renumbered.sort((a, b) -> Long.compare(a.rid(), b.rid()));
      clearDeferred();
      held.clear();
      for (Row r : renumbered) {
        Row n =
            new Row(nextRid++, r.cls(), r.channel(), r.to(), r.seq(), r.createdMillis(), r.body());
        held.put(n.rid(), n);
      }
      if (!held.isEmpty()) {
        committedRid = Math.max(committedRid, held.lastKey());
      }
      deletes.clear();
    } catch (Store.StoreException e) {
      recovery.readFailed(e);
    }
  }

  /** Figures for status and {@code buffer.stats}. */
  public Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    synchronized (lock) {
      m.put("durable", limits.durable());
      m.put("stream", stream);
      m.put("lastSeq", nextSeq - 1);
      m.put("messages", pendingLocked());
      m.put("bytes", bytes + heldBytes + deferredBytes);
      m.put("maxBytes", retention.bound());
      m.put("queued", (long) queue.size());
      m.put("held", (long) held.size());
      m.put("heldBytes", heldBytes);
      m.put("deferred", (long) deferred.size());
      m.put("deferredBytes", deferredBytes);
      m.put("dropped", droppedTotal);
      m.put("refused", refusedTotal);
      m.put("quarantined", quarantine.total());
      m.put("writable", recovery.writable());
      if (lastCommitMillis > 0) {
        m.put(
            "lastCommitAt",
            io.outpost.agent.internal.IsoInstant.format(
                java.time.Instant.ofEpochMilli(lastCommitMillis)));
      }
      if (recovery.lastError() != null) {
        m.put("lastError", recovery.lastError());
      }
      if (recoveryNote != null) {
        m.put("recovery", recoveryNote);
      }
    }
    return m;
  }

  /**
   * Whether the store holds no row, by the exact count: then {@link #read} answers from memory
   * without a query (the uplink sends on a committing thread only then).
   */
  public boolean nothingStored() {
    synchronized (lock) {
      return rows == 0 && rowsExact;
    }
  }

  /** Whether the last write succeeded. */
  public boolean writable() {
    return recovery.writable();
  }

  /** Messages stored, deferred, held in memory or queued and not yet acked or dropped. */
  public long pendingMessages() {
    synchronized (lock) {
      return pendingLocked() + queue.size();
    }
  }

  private long pendingLocked() {
    return Math.max(0, rows - deletes.size()) + held.size() + deferred.size();
  }

  /**
   * Writes what is queued or deferred, stops the writer and closes the store. Waits at most {@code
   * timeout}.
   */
  public void close(Duration timeout) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closing = true;
      lock.notifyAll();
    }
    writer.interrupt();
    try {
      writer.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lock) {
      closed = true;
      if (!writer.isAlive() && held.isEmpty() && deferred.isEmpty() && carried.isEmpty()) {
        // Every seq handed out is stored or delivered: the next run continues without a gap.
        try {
          store.stopped(nextSeq - 1, nextRid);
        } catch (Store.StoreException e) {
          Logger.warn(
              "outbox: could not record the clean stop ({}); the next run skips and announces"
                  + " the rest of the reserved seqs",
              e.getMessage());
        }
      }
      store.close();
    }
  }

  /** The writer's state: {@code WAITING} (no timeout) when it has nothing to do. */
  Thread.State writerState() {
    return writer.getState();
  }

  /** Stops without the last round and without recording a clean stop: what a kill leaves behind. */
  void halt() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
    writer.interrupt();
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lock) {
      store.close();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
