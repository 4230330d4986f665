package io.outpost.agent.outbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/** {@code buffer.durability = "memory"}: same behaviour, nothing survives a restart. */
final class MemoryStore implements Store {
  private final TreeMap<Long, Row> rows = new TreeMap<>();
  private final Map<String, String[]> results = new HashMap<>();

  @Override
  public Opened open() {
    return new Opened(
        UUID.randomUUID().toString().replace("-", "").substring(0, 16), 1, 1, 0, 0, null, 0);
  }

  @Override
  public Count count() {
    return new Count(rows.size(), rows.values().stream().mapToLong(Row::size).sum());
  }

  @Override
  public java.util.Set<Long> commit(
      List<Row> inserts, Collection<Long> deletes, long nextSeq, long nextRid) {
    inserts.forEach(r -> rows.put(r.rid(), r));
    java.util.Set<Long> done = new java.util.HashSet<>();
    for (long rid : deletes) {
      if (rows.remove(rid) != null) {
        done.add(rid);
      }
    }
    return done;
  }

  @Override
  public void reserve(long throughSeq) {}

  @Override
  public void stopped(long lastSeq, long nextRid) {}

  @Override
  public List<Row> read(long afterRid, long maxRid, int limit) {
    List<Row> out = new ArrayList<>();
    for (Row r : rows.tailMap(afterRid, false).values()) {
      if (r.rid() > maxRid || out.size() >= limit) {
        break;
      }
      out.add(r);
    }
    return out;
  }

  @Override
  public List<Row> oldest(int cls, long afterRid, int limit) {
    return rows.tailMap(afterRid, false).values().stream()
        .filter(r -> r.cls() == cls)
        .limit(limit)
        .toList();
  }

  @Override
  public void quarantine(Row row, String why) {
    rows.remove(row.rid());
  }

  @Override
  public void reconnect() {}

  @Override
  public Optional<String> commandResult(String id) {
    String[] r = results.get(id);
    return r == null ? Optional.empty() : Optional.of(r[0]);
  }

  @Override
  public void putCommandResult(String id, String json, long atMillis) {
    results.put(id, new String[] {json, Long.toString(atMillis)});
  }

  @Override
  public void pruneCommandResults(long beforeMillis) {
    results.values().removeIf(v -> Long.parseLong(v[1]) < beforeMillis);
  }

  @Override
  public void close() {}
}
