package io.outpost.agent.outbox;

import io.outpost.agent.internal.Json;
import io.outpost.log.Logger;

/**
 * Finds stored rows that can never be sent — a body that is not a JSON object, no channel and no
 * recipient; SQLite's integrity check passes both — so one bad row cannot block the backlog behind
 * it. Rows the store held when it was opened are checked once each, as they are first read (a
 * watermark, since reads go up in rid order); rows written by this process are sound by
 * construction. A bad row is moved to the store's quarantine table, logged once and remembered for
 * the next {@code buffer.dropped}. Used under the outbox lock.
 */
final class Quarantine {
  private final Drops pending = new Drops();
  private long loadedRid;
  private long checkedRid;
  private long total;

  /** The store was (re)opened holding rows up to {@code loadedRid}: those are checked again. */
  void opened(long loadedRid) {
    this.loadedRid = loadedRid;
    this.checkedRid = 0;
  }

  /**
   * A read scanned the rows after {@code afterRid} up to {@code scannedRid}: when it started inside
   * the checked range, everything up to {@code scannedRid} is checked now.
   */
  void scanned(long afterRid, long scannedRid) {
    if (afterRid <= checkedRid) {
      checkedRid = Math.max(checkedRid, Math.min(scannedRid, loadedRid));
    }
  }

  /** Why {@code r} can never be sent, or null when it can (or needs no check). */
  String problem(Row r) {
    if (r.rid() > loadedRid || r.rid() <= checkedRid) {
      return null;
    }
    if (r.channel() == null && r.to() == null) {
      return "no channel and no recipient";
    }
    if (r.body() == null) {
      return "no body";
    }
    try {
      return Json.parse(r.body()).isJsonObject() ? null : "body is not a JSON object";
    } catch (RuntimeException e) {
      return "body is not JSON";
    }
  }

  /**
   * Moves {@code r} aside and records it for the announcement.
   *
   * @return whether it left the store now (else the caller deletes it with the next write)
   */
  boolean isolate(Store store, Row r, String why) {
    total++;
    pending.add(r.seq(), "unreadable");
    Logger.warn(
        "outbox: message rid {} (seq {}) cannot be sent: {}; moved to the quarantine table",
        r.rid(),
        r.seq(),
        why);
    try {
      store.quarantine(r, why);
      return true;
    } catch (Store.StoreException e) {
      return false;
    }
  }

  /** Moves what waits for an announcement into {@code drops}. */
  void drainInto(Drops drops) {
    drops.addAll(pending);
    pending.clear();
  }

  boolean announcementsDue() {
    return !pending.isEmpty();
  }

  long total() {
    return total;
  }
}
