package io.outpost.agent.outbox;

import io.outpost.log.Logger;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;

/**
 * Keeps the store usable through full disks, read-only file systems, I/O errors and damage.
 *
 * <p>After a failed write the connection is thrown away and opened again: SQLite rolls a
 * transaction back by itself on {@code SQLITE_FULL} and I/O errors, and a connection that still
 * believes it is inside one fails every later commit ("cannot commit - no transaction is active")
 * until it is replaced. A full disk lowers the retention bound to 90 % of what is stored, so the
 * oldest telemetry is dropped (and announced) to make room; once writes succeed again for {@link
 * #LIFT_AFTER} the configured bound applies again. A damaged file is handed to {@link Store#open()}
 * (moved aside, salvaged). Each distinct error is logged once. Used under the outbox lock.
 */
final class Recovery {
  /** Writes must succeed this long after a full disk before the configured bound is restored. */
  static final Duration LIFT_AFTER = Duration.ofSeconds(30);

  /** What the outbox must do after a failure. */
  enum Action {
    /** Keep going: the connection was replaced (or will be on the next try). */
    RETRY,
    /** The file is damaged: open the store again (moves it aside and salvages it). */
    REOPEN
  }

  private final Store store;
  private final Retention retention;
  private volatile boolean writable = true;
  private volatile String lastError;
  private long writableSince;
  private long failures;
  // Each distinct error once per outage, however the failures alternate.
  private final java.util.Set<String> logged = new java.util.HashSet<>();

  Recovery(Store store, Retention retention) {
    this.store = store;
    this.retention = retention;
  }

  boolean writable() {
    return writable;
  }

  String lastError() {
    return lastError;
  }

  long failures() {
    return failures;
  }

  /** A write failed; {@code storedBytes} is what the store holds now. */
  Action writeFailed(Store.StoreException e, long storedBytes) {
    note(e);
    if (isFull(e.getCause())) {
      long before = retention.bound();
      long bound = retention.lowerAfterFull(storedBytes);
      if (bound != before) {
        Logger.error(
            "disk full while writing the outbox; bound lowered to {} bytes, dropping old telemetry",
            bound);
      }
    }
    return e.corrupt() ? Action.REOPEN : reconnect();
  }

  /** A read failed: the connection may be stuck in a rolled-back transaction, so replace it. */
  Action readFailed(Store.StoreException e) {
    note(e);
    return e.corrupt() ? Action.REOPEN : reconnect();
  }

  /** A write succeeded. */
  void wrote(long now) {
    if (!writable) {
      Logger.info("outbox writable again");
      writable = true;
      lastError = null;
      logged.clear();
      writableSince = now;
    }
    if (retention.lowered() && now - writableSince >= LIFT_AFTER.toMillis()) {
      retention.lift();
      Logger.info("outbox: writes succeed again; buffer.maxBytes applies again");
    }
  }

  /** A file that is no longer an outbox (lost on a repaired file system) is opened afresh. */
  private Action reconnect() {
    try {
      store.reconnect();
      return Action.RETRY;
    } catch (Store.StoreException e) {
      note(e);
      return e.corrupt() ? Action.REOPEN : Action.RETRY;
    }
  }

  private void note(Store.StoreException e) {
    failures++;
    if (logged.size() < 16 && logged.add(String.valueOf(e.getMessage()))) {
      Logger.error("outbox: {}", e.getMessage());
    }
    writable = false;
    lastError = e.getMessage();
  }

  /** Whether a failed write means the disk (or the file system quota) is full. */
  static boolean isFull(Throwable e) {
    return e instanceof SQLException s
        && (s.getErrorCode() == 13
            || String.valueOf(s.getMessage()).toLowerCase(Locale.ROOT).contains("full"));
  }
}
