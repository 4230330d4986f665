package io.outpost.agent.outbox;

import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
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
import org.tinylog.Logger;

/**
 * Everything the device says, in order, until the server acked it (architecture.md §2, §5).
 *
 * <p>{@link #append} never blocks on disk: a writer thread assigns each message its {@code rid}
 * (storage order) and — for messages on the device's events channel — its {@code stream}/{@code
 * seq} /{@code id}, and commits what arrived within {@code buffer.commitInterval} in one
 * transaction (group commit). Only committed rows are handed to the uplink ({@link #read}), and a
 * row is deleted only after {@link #ack} says the server acknowledged it.
 *
 * <p>Bounds: above {@code buffer.maxBytes} the oldest telemetry is dropped (or the newest, per
 * {@code buffer.overflow.telemetry}); events and command results are kept unless {@code
 * buffer.overflow.events} is {@code dropOldest}; telemetry older than {@code buffer.maxAge} is
 * dropped. Every drop is announced in-band with a {@code buffer.dropped} message. Thread-safe.
 */
public final class Outbox implements AutoCloseable {
  /**
   * Appends waiting for the writer beyond this are refused (telemetry) so a stuck disk cannot eat
   * the heap.
   */
  static final int MAX_QUEUED = 20_000;

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
  private final Object lock = new Object();
  private final Thread writer;

  private final List<Pending> queue = new ArrayList<>();
  private final Map<Long, Long> deletes = new HashMap<>();
  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean closing;
  private boolean closed;

  // Guarded by lock.
  private String stream;
  private long nextSeq;
  private long nextRid;
  private long rows;
  private long bytes;
  private long committedRid;
  private List<Row> retry = List.of();
  private long lastAgeCheck;
  private long droppedTotal;
  private long refusedTotal;
  private String recovery;
  private long fullBound = Long.MAX_VALUE;
  private long firstDeleteMillis;
  private volatile boolean writable = true;
  private volatile String lastError;
  private volatile long lastCommitMillis;

  /** Waiting for the writer; {@code committed} (may be null) completes once the row is durable. */
  private record Pending(
      int cls,
      String channel,
      String to,
      JsonObject data,
      long createdMillis,
      java.util.concurrent.CompletableFuture<Void> committed) {}

  /**
   * Commit promises of rows that failed to commit and wait in {@link #retry}. Writer thread only.
   */
  private final List<java.util.concurrent.CompletableFuture<Void>> retryPromises =
      new ArrayList<>();

  private Outbox(Store store, String deviceId, AgentConfig.Buffer limits, Clock clock)
      throws Store.StoreException {
    this.store = store;
    this.deviceId = deviceId;
    this.eventsChannel = "devices/" + deviceId + "/events";
    this.limits = limits;
    this.clock = clock;
    Store.Opened o = store.open();
    this.stream = o.stream();
    this.nextSeq = o.nextSeq();
    this.nextRid = o.nextRid();
    this.rows = o.rows();
    this.bytes = o.bytes();
    this.committedRid = o.nextRid() - 1;
    this.recovery = o.recovery();
    this.writer = new Thread(this::writeLoop, "outbox-writer");
    this.writer.setDaemon(true);
    this.writer.start();
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

  /** Called (on the writer thread, must not block) after each commit that added rows. */
  public void onCommit(Runnable listener) {
    listeners.add(listener);
  }

  /** Queues a telemetry message ({@code type} {@code telemetry}) for the events channel. */
  public void appendTelemetry(JsonObject data) {
    append(Row.TELEMETRY, eventsChannel, null, data);
  }

  /** Queues an event, status or command result for the events channel (kept under overflow). */
  public void appendEvent(JsonObject data) {
    append(Row.EVENT, eventsChannel, null, data);
  }

  /** Queues {@code data} for another channel (no stream sequence; kept under overflow). */
  public void appendTo(String channel, JsonObject data) {
    append(Row.EVENT, channel, null, data);
  }

  /**
   * Queues {@code data} for {@code channel} like {@link #appendTo} (or {@link #appendEvent} for the
   * events channel) and completes the returned future once the row is committed to the store, so a
   * bridge can acknowledge its source only when nothing can be lost any more. Completes
   * exceptionally when the outbox is closed before that.
   */
  public java.util.concurrent.CompletableFuture<Void> appendCommitted(
      String channel, JsonObject data) {
    var committed = new java.util.concurrent.CompletableFuture<Void>();
    append(Row.EVENT, channel, null, data, committed);
    return committed;
  }

  /** Queues a direct message to {@code peerId} (no stream sequence). */
  public void appendDirect(String peerId, JsonObject data) {
    append(Row.EVENT, null, peerId, data);
  }

  private void append(int cls, String channel, String to, JsonObject data) {
    append(cls, channel, to, data, null);
  }

  private void append(
      int cls,
      String channel,
      String to,
      JsonObject data,
      java.util.concurrent.CompletableFuture<Void> committed) {
    synchronized (lock) {
      if (closed) {
        if (committed != null) {
          committed.completeExceptionally(new IllegalStateException("outbox closed"));
        }
        Logger.warn(
            "outbox closed; dropping a {} message",
            data.has("type") ? data.get("type").getAsString() : "typeless");
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
   * Committed rows after {@code afterRid} up to {@code maxRid}, ascending. Empty when none or on a
   * read error.
   */
  public List<Row> read(long afterRid, long maxRid, int limit) {
    synchronized (lock) {
      if (closed) {
        return List.of();
      }
      try {
        return store.read(afterRid, Math.min(maxRid, committedRid), limit);
      } catch (Store.StoreException e) {
        noteError(e);
        return List.of();
      }
    }
  }

  /** The highest committed rid (everything up to here can be read). */
  public long committedRid() {
    synchronized (lock) {
      return committedRid;
    }
  }

  /**
   * The server acknowledged {@code row}: it no longer counts as pending and is deleted with the
   * next insert, or after {@link #DELETE_DELAY} at the latest.
   */
  public void ack(Row row) {
    synchronized (lock) {
      if (deletes.isEmpty()) {
        firstDeleteMillis = clock.millis();
      }
      deletes.put(row.rid(), row.size());
    }
  }

  private boolean deletesDue(long now) {
    return !deletes.isEmpty() && now - firstDeleteMillis >= DELETE_DELAY.toMillis();
  }

  /** A direct message whose recipient is gone: delete without sending (same as an ack). */
  public void discard(Row row) {
    ack(row);
  }

  /** Results of commands already handled, for idempotency across restarts. */
  public Optional<String> commandResult(String id) {
    synchronized (lock) {
      try {
        return closed ? Optional.empty() : store.commandResult(id);
      } catch (Store.StoreException e) {
        noteError(e);
        return Optional.empty();
      }
    }
  }

  /** Remembers a command's result (JSON) so a repeat of {@code id} is answered, not run. */
  public void putCommandResult(String id, String resultJson) {
    synchronized (lock) {
      try {
        if (!closed) {
          store.putCommandResult(id, resultJson, clock.millis());
        }
      } catch (Store.StoreException e) {
        noteError(e);
      }
    }
  }

  /** Forgets command results older than {@code age}. */
  public void pruneCommandResults(Duration age) {
    synchronized (lock) {
      try {
        if (!closed) {
          store.pruneCommandResults(clock.millis() - age.toMillis());
        }
      } catch (Store.StoreException e) {
        noteError(e);
      }
    }
  }

  private void writeLoop() {
    while (true) {
      List<Pending> batch;
      Map<Long, Long> dels;
      List<Row> again;
      synchronized (lock) {
        long now = clock.millis();
        while (queue.isEmpty()
            && !deletesDue(now)
            && retry.isEmpty()
            && !closing
            && now - lastAgeCheck < AGE_CHECK.toMillis()) {
          try {
            lock.wait(deletes.isEmpty() ? AGE_CHECK.toMillis() : DELETE_DELAY.toMillis());
          } catch (InterruptedException e) {
            return;
          }
          now = clock.millis();
        }
        if (closed) {
          return;
        }
      }
      // Group commit: let more messages and acks arrive before the transaction.
      if (!limits.commitInterval().isZero() && !closing) {
        try {
          Thread.sleep(limits.commitInterval().toMillis());
        } catch (InterruptedException e) {
          // closing: commit what we have
        }
      }
      boolean committedRows;
      boolean durable;
      boolean finished = false;
      synchronized (lock) {
        batch = new ArrayList<>(queue);
        queue.clear();
        dels = new HashMap<>(deletes);
        deletes.clear();
        again = retry;
        retry = List.of();
        committedRows = commitLocked(again, batch, dels);
        durable = writable;
        if (closing && queue.isEmpty() && deletes.isEmpty() && retry.isEmpty()) {
          closed = true;
          lock.notifyAll();
          finished = true;
        }
      }
      settlePromises(batch, durable);
      if (finished) {
        return;
      }
      if (committedRows) {
        for (Runnable l : listeners) {
          try {
            l.run();
          } catch (RuntimeException e) {
            Logger.error("outbox listener failed: {}", e.toString());
          }
        }
      }
      if (!writable && !closing) {
        try {
          Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
          // closing
        }
      }
    }
  }

  /** Completes the commit promises of {@code batch} (and earlier failed rounds) once durable. */
  private void settlePromises(List<Pending> batch, boolean durable) {
    for (Pending p : batch) {
      if (p.committed() != null) {
        retryPromises.add(p.committed());
      }
    }
    if (durable && !retryPromises.isEmpty()) {
      retryPromises.forEach(f -> f.complete(null));
      retryPromises.clear();
    }
  }

  /** Assigns ids, applies the bounds and commits; on failure keeps the rows for the next round. */
  private boolean commitLocked(List<Row> again, List<Pending> batch, Map<Long, Long> dels) {
    List<Row> inserts = new ArrayList<>(again);
    long seq = nextSeq;
    long rid = nextRid;
    for (Pending p : batch) {
      long s = 0;
      JsonObject d = p.data();
      if (eventsChannel.equals(p.channel())) {
        s = seq++;
        stamp(d, s);
      }
      inserts.add(
          new Row(rid++, p.cls(), p.channel(), p.to(), s, p.createdMillis(), Json.GSON.toJson(d)));
    }
    List<Row> originalInserts = List.copyOf(inserts);
    Map<Long, Long> originalDels = new HashMap<>(dels);
    long deletingBytes = dels.values().stream().mapToLong(Long::longValue).sum();
    long insertBytes = inserts.stream().mapToLong(Row::size).sum();
    long projected = bytes + insertBytes - deletingBytes;
    Drops drops = new Drops();
    long now = clock.millis();
    try {
      if (projected > maxBytes()) {
        projected = shrink(projected, inserts, dels, drops);
      }
      if (now - lastAgeCheck >= AGE_CHECK.toMillis()) {
        lastAgeCheck = now;
        expire(now - limits.maxAge().toMillis(), dels, drops);
      }
      for (Drops.Range r : drops.ranges()) {
        JsonObject d = new JsonObject();
        d.addProperty("type", "buffer.dropped");
        d.addProperty("device", deviceId);
        d.addProperty("stream", stream);
        if (r.count() > 0 && r.fromSeq() > 0) {
          d.addProperty("fromSeq", r.fromSeq());
          d.addProperty("toSeq", r.toSeq());
        }
        d.addProperty("count", r.count());
        d.addProperty("reason", r.reason());
        long s = seq++;
        stamp(d, s);
        Row row = new Row(rid++, Row.EVENT, eventsChannel, null, s, now, Json.GSON.toJson(d));
        inserts.add(row);
        droppedTotal += r.count();
        Logger.warn(
            "outbox dropped {} telemetry messages (seq {}..{}): {}",
            r.count(),
            r.fromSeq(),
            r.toSeq(),
            r.reason());
      }
      Set<Long> deleted = store.commit(inserts, dels.keySet(), seq, rid);
      long freed = 0;
      for (long d : deleted) {
        freed += dels.get(d);
      }
      bytes += inserts.stream().mapToLong(Row::size).sum() - freed;
      rows += inserts.size() - deleted.size();
      nextSeq = seq;
      nextRid = rid;
      if (!inserts.isEmpty()) {
        committedRid = rid - 1;
      }
      lastCommitMillis = now;
      if (!writable) {
        Logger.info("outbox writable again");
      }
      writable = true;
      lastError = null;
      return !inserts.isEmpty();
    } catch (Store.StoreException e) {
      noteError(e);
      // Keep every row (with its ids) and every pending delete for the next attempt.
      retry = originalInserts;
      nextSeq = seq - drops.ranges().size();
      nextRid = rid;
      deletes.putAll(originalDels);
      if (SqliteStore.isFull(e.getCause())) {
        // The disk is full below our own bound: lower the bound to what we hold now, so the next
        // round frees room by dropping the oldest telemetry.
        fullBound = Math.max(64 * 1024, (long) (bytes * 0.9));
        Logger.error(
            "disk full while writing the outbox; bound lowered to {} bytes, dropping old telemetry",
            fullBound);
      }
      if (e.corrupt()) {
        reopen();
      }
      return false;
    }
  }

  /** The effective bound: {@code buffer.maxBytes}, lowered after the disk itself ran full. */
  private long maxBytes() {
    return Math.min(limits.maxBytes(), fullBound);
  }

  private void stamp(JsonObject d, long s) {
    if (!d.has("device")) {
      d.addProperty("device", deviceId);
    }
    d.addProperty("stream", stream);
    d.addProperty("seq", s);
    if (!d.has("id")) {
      d.addProperty("id", deviceId + ":" + stream + ":" + s);
    }
  }

  private long shrink(long projected, List<Row> inserts, Map<Long, Long> dels, Drops drops)
      throws Store.StoreException {
    String reason = "maxBytes";
    boolean newestFirst = "dropNewest".equals(limits.telemetryOverflow());
    if (newestFirst) {
      // dropNewest refuses new telemetry and never touches what is stored.
      projected = dropFromInserts(projected, inserts, Row.TELEMETRY, drops, reason, true);
    } else {
      projected = dropStored(projected, Row.TELEMETRY, dels, drops, reason);
      if (projected > maxBytes()) {
        projected = dropFromInserts(projected, inserts, Row.TELEMETRY, drops, reason, false);
      }
    }
    if (projected > maxBytes() && "dropOldest".equals(limits.eventsOverflow())) {
      projected = dropStored(projected, Row.EVENT, dels, drops, reason);
    }
    if (projected > maxBytes()) {
      Logger.warn(
          "outbox holds {} bytes of events and command results above buffer.maxBytes {}; kept (buffer.overflow.events = keep)",
          projected,
          maxBytes());
    }
    return projected;
  }

  private long dropStored(long projected, int cls, Map<Long, Long> dels, Drops drops, String reason)
      throws Store.StoreException {
    while (projected > maxBytes()) {
      List<Row> oldest = store.oldest(cls, 512);
      boolean any = false;
      for (Row r : oldest) {
        if (dels.containsKey(r.rid())) {
          continue;
        }
        any = true;
        dels.put(r.rid(), r.size());
        projected -= r.size();
        drops.add(r.seq(), reason);
        if (projected <= maxBytes()) {
          break;
        }
      }
      if (!any) {
        break;
      }
    }
    return projected;
  }

  private long dropFromInserts(
      long projected, List<Row> inserts, int cls, Drops drops, String reason, boolean newest) {
    List<Row> candidates = new ArrayList<>(inserts.stream().filter(r -> r.cls() == cls).toList());
    if (newest) {
      java.util.Collections.reverse(candidates);
    }
    for (Row r : candidates) {
      if (projected <= maxBytes()) {
        break;
      }
      inserts.remove(r);
      projected -= r.size();
      drops.add(r.seq(), reason);
    }
    return projected;
  }

  private void expire(long cutoff, Map<Long, Long> dels, Drops drops) throws Store.StoreException {
    List<Integer> classes =
        "dropOldest".equals(limits.eventsOverflow())
            ? List.of(Row.TELEMETRY, Row.EVENT)
            : List.of(Row.TELEMETRY);
    for (int cls : classes) {
      while (true) {
        boolean more = false;
        for (Row r : store.oldest(cls, 512)) {
          if (r.createdMillis() >= cutoff) {
            break;
          }
          if (!dels.containsKey(r.rid())) {
            dels.put(r.rid(), r.size());
            drops.add(r.seq(), "maxAge");
            more = true;
          }
        }
        if (!more) {
          break;
        }
      }
    }
  }

  private void reopen() {
    try {
      store.close();
      Store.Opened o = store.open();
      stream = o.stream();
      nextSeq = o.nextSeq();
      nextRid = Math.max(nextRid, o.nextRid());
      rows = o.rows();
      bytes = o.bytes();
      recovery = o.recovery();
      // Rows waiting for a retry keep their bodies (old stream ids) but get fresh storage
      // positions.
      List<Row> renumbered = new ArrayList<>();
      for (Row r : retry) {
        renumbered.add(
            new Row(nextRid++, r.cls(), r.channel(), r.to(), r.seq(), r.createdMillis(), r.body()));
      }
      retry = renumbered;
      deletes.clear();
    } catch (Store.StoreException e) {
      noteError(e);
    }
  }

  private void noteError(Store.StoreException e) {
    if (writable || !String.valueOf(e.getMessage()).equals(lastError)) {
      Logger.error("outbox: {}", e.getMessage());
    }
    writable = false;
    lastError = e.getMessage();
  }

  /** Figures for status and {@code buffer.stats}. */
  public Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    synchronized (lock) {
      m.put("durable", limits.durable());
      m.put("stream", stream);
      m.put("lastSeq", nextSeq - 1);
      m.put("messages", Math.max(0, rows - deletes.size()));
      m.put("bytes", bytes);
      m.put("maxBytes", maxBytes());
      m.put("queued", (long) queue.size());
      m.put("dropped", droppedTotal);
      m.put("refused", refusedTotal);
      m.put("writable", writable);
      if (lastCommitMillis > 0) {
        m.put("lastCommitAt", java.time.Instant.ofEpochMilli(lastCommitMillis).toString());
      }
      if (lastError != null) {
        m.put("lastError", lastError);
      }
      if (recovery != null) {
        m.put("recovery", recovery);
      }
    }
    return m;
  }

  /** Whether the last write succeeded. */
  public boolean writable() {
    return writable;
  }

  /**
   * Messages stored or queued and not yet acked (acked rows awaiting their delete do not count).
   */
  public long pendingMessages() {
    synchronized (lock) {
      return Math.max(0, rows - deletes.size()) + queue.size();
    }
  }

  /**
   * Flushes what is queued, stops the writer and closes the store. Waits at most {@code timeout}.
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
      store.close();
      // Whatever did not make it to the store must not be reported durable.
      var failure = new IllegalStateException("outbox closed before the message was committed");
      queue.forEach(p -> failIfPending(p.committed(), failure));
      if (!writer.isAlive()) {
        retryPromises.forEach(f -> f.completeExceptionally(failure));
        retryPromises.clear();
      }
    }
  }

  private static void failIfPending(
      java.util.concurrent.CompletableFuture<Void> f, RuntimeException failure) {
    if (f != null) {
      f.completeExceptionally(failure);
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /** Collects dropped sequence numbers into contiguous-ish ranges per reason. */
  private static final class Drops {
    record Range(long fromSeq, long toSeq, long count, String reason) {}

    private final Map<String, long[]> byReason = new LinkedHashMap<>();

    void add(long seq, String reason) {
      long[] r = byReason.computeIfAbsent(reason, k -> new long[] {Long.MAX_VALUE, 0, 0});
      if (seq > 0) {
        r[0] = Math.min(r[0], seq);
        r[1] = Math.max(r[1], seq);
      }
      r[2]++;
    }

    List<Range> ranges() {
      List<Range> out = new ArrayList<>();
      byReason.forEach(
          (reason, r) -> out.add(new Range(r[0] == Long.MAX_VALUE ? 0 : r[0], r[1], r[2], reason)));
      return out;
    }
  }
}
