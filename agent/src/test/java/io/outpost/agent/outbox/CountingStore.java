package io.outpost.agent.outbox;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real SQLite store, recording what reaches it: every transaction that writes rows, and the
 * seqs of the rows written, so a test sees what touched the disk.
 */
final class CountingStore implements Store {
  private final SqliteStore store;
  final AtomicInteger commits = new AtomicInteger();
  final ConcurrentLinkedQueue<Long> insertedRids = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Long> insertedSeqs = new ConcurrentLinkedQueue<>();
  final AtomicInteger reads = new AtomicInteger();

  CountingStore(Path dir) {
    this.store = new SqliteStore(dir);
  }

  @Override
  public Opened open() throws StoreException {
    return store.open();
  }

  @Override
  public Count count() throws StoreException {
    return store.count();
  }

  @Override
  public Set<Long> commit(List<Row> inserts, Collection<Long> deletes, long nextSeq, long nextRid)
      throws StoreException {
    Set<Long> done = store.commit(inserts, deletes, nextSeq, nextRid);
    commits.incrementAndGet();
    inserts.forEach(
        r -> {
          insertedRids.add(r.rid());
          insertedSeqs.add(r.seq());
        });
    return done;
  }

  @Override
  public void reserve(long throughSeq) throws StoreException {
    store.reserve(throughSeq);
  }

  @Override
  public void stopped(long lastSeq, long nextRid) throws StoreException {
    store.stopped(lastSeq, nextRid);
  }

  @Override
  public List<Row> read(long afterRid, long maxRid, int limit) throws StoreException {
    reads.incrementAndGet();
    return store.read(afterRid, maxRid, limit);
  }

  @Override
  public List<Row> oldest(int cls, long afterRid, int limit) throws StoreException {
    return store.oldest(cls, afterRid, limit);
  }

  @Override
  public void quarantine(Row row, String why) throws StoreException {
    store.quarantine(row, why);
  }

  @Override
  public void reconnect() throws StoreException {
    store.reconnect();
  }

  @Override
  public Optional<String> commandResult(String id) throws StoreException {
    return store.commandResult(id);
  }

  @Override
  public void putCommandResult(String id, String json, long atMillis) throws StoreException {
    store.putCommandResult(id, json, atMillis);
  }

  @Override
  public void pruneCommandResults(long beforeMillis) throws StoreException {
    store.pruneCommandResults(beforeMillis);
  }

  @Override
  public void close() {
    store.close();
  }
}
