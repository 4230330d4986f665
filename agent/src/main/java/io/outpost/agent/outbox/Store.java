package io.outpost.agent.outbox;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where the outbox keeps rows and small state. Implementations are not thread-safe; {@link Outbox}
 * serialises access.
 */
interface Store extends AutoCloseable {

  /**
   * What {@link #open()} found. {@code recovery} describes a store that had to be repaired, else
   * null. {@code nextSeq} lies beyond every seq the last run may have handed out (its reservation);
   * {@code lastKnownSeq} is the highest seq known to be stored or delivered, so the seqs in between
   * were reserved by a run that did not stop cleanly and may have been used.
   */
  record Opened(
      String stream,
      long nextSeq,
      long nextRid,
      long rows,
      long bytes,
      String recovery,
      long lastKnownSeq) {}

  Opened open() throws StoreException;

  /** How many rows the store holds and their {@link Row#size()} sum. */
  record Count(long rows, long bytes) {}

  /** Counts what is stored now (a full scan: for the rare case the outbox lost track). */
  Count count() throws StoreException;

  /**
   * Inserts, deletes and advances the counters in one transaction.
   *
   * @return the rids of {@code deletes} that existed (and so were deleted now)
   */
  java.util.Set<Long> commit(
      List<Row> inserts, Collection<Long> deletes, long nextSeq, long nextRid)
      throws StoreException;

  /**
   * Records durably — surviving a power cut, not only a crash — that seqs up to {@code throughSeq}
   * may be handed out, so a later run never hands them out again.
   */
  void reserve(long throughSeq) throws StoreException;

  /**
   * A clean stop: every seq up to {@code lastSeq} is stored or delivered, so the next run continues
   * at {@code lastSeq + 1} without a gap.
   */
  void stopped(long lastSeq, long nextRid) throws StoreException;

  /** Rows with {@code rid > afterRid} (and {@code <= maxRid}) ascending, at most {@code limit}. */
  List<Row> read(long afterRid, long maxRid, int limit) throws StoreException;

  /** The oldest rows of a class with {@code rid > afterRid}, ascending, at most {@code limit}. */
  List<Row> oldest(int cls, long afterRid, int limit) throws StoreException;

  /**
   * Moves a row that cannot be sent (unparsable body, no destination) out of the outbox into a
   * quarantine kept for inspection, in one transaction.
   */
  void quarantine(Row row, String why) throws StoreException;

  /**
   * Replaces the connection after a failed operation, keeping everything stored; falls back to
   * reading only when the file can no longer be written.
   */
  void reconnect() throws StoreException;

  Optional<String> commandResult(String id) throws StoreException;

  void putCommandResult(String id, String json, long atMillis) throws StoreException;

  void pruneCommandResults(long beforeMillis) throws StoreException;

  @Override
  void close();

  /** A storage failure; {@code corrupt} when the file is damaged rather than, say, full. */
  final class StoreException extends Exception {
    private final boolean corrupt;

    StoreException(String message, Throwable cause, boolean corrupt) {
      super(message, cause);
      this.corrupt = corrupt;
    }

    boolean corrupt() {
      return corrupt;
    }
  }
}
