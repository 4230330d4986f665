package io.outpost.agent.outbox;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Results of commands already handled, so a repeated command id is answered, not run again (across
 * restarts). Results that cannot be written right now wait in memory (bounded) and are written with
 * the next successful round, so a full disk does not make the agent run a command twice. Not
 * thread-safe; {@link Outbox} serialises access.
 */
final class CommandResults {
  /** Unwritten results kept at most; beyond it the oldest is forgotten (and may run again). */
  static final int MAX_UNWRITTEN = 10_000;

  private record Result(String json, long atMillis) {}

  private final Map<String, Result> unwritten = new LinkedHashMap<>();

  Optional<String> get(Store store, String id) throws Store.StoreException {
    Result r = unwritten.get(id);
    return r != null ? Optional.of(r.json()) : store.commandResult(id);
  }

  /** Stores the result, or keeps it in memory when the store refuses (and rethrows). */
  void put(Store store, String id, String json, long atMillis) throws Store.StoreException {
    try {
      store.putCommandResult(id, json, atMillis);
    } catch (Store.StoreException e) {
      unwritten.remove(id);
      unwritten.put(id, new Result(json, atMillis));
      if (unwritten.size() > MAX_UNWRITTEN) {
        Iterator<String> it = unwritten.keySet().iterator();
        it.next();
        it.remove();
      }
      throw e;
    }
  }

  void prune(Store store, long beforeMillis) throws Store.StoreException {
    unwritten.values().removeIf(r -> r.atMillis() < beforeMillis);
    store.pruneCommandResults(beforeMillis);
  }

  /** Writes what waited in memory; stops at the first failure (the rest waits for the next try). */
  void flush(Store store) throws Store.StoreException {
    Iterator<Map.Entry<String, Result>> it = unwritten.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Result> e = it.next();
      store.putCommandResult(e.getKey(), e.getValue().json(), e.getValue().atMillis());
      it.remove();
    }
  }

  int unwritten() {
    return unwritten.size();
  }
}
