package io.outpost.agent.outbox;

import io.outpost.agent.config.AgentConfig;
import io.outpost.log.Logger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Which messages the outbox gives up, and when: {@code buffer.maxBytes} (lowered while the disk is
 * full), {@code buffer.maxAge}, the overflow policies, and the bound on what is held in memory
 * while the store cannot be written. It only decides: dropped stored rows go into the delete set,
 * dropped unstored rows leave the insert list, and every one is recorded in {@link Drops} for the
 * announcement. Used by the writer thread only.
 */
final class Retention {
  /**
   * While nothing can be written, new messages are held in memory up to this many bytes (oldest
   * telemetry dropped first), so a long outage of the disk cannot eat the heap.
   */
  static final long HELD_MAX_BYTES = 4L * 1024 * 1024;

  /** Beyond this, held events and command results are dropped too: the heap comes first. */
  static final long HELD_HARD_MAX_BYTES = 2 * HELD_MAX_BYTES;

  /** The lowest the bound goes after a full disk, so a few messages always fit. */
  static final long MIN_BOUND = 64 * 1024;

  private static final int PAGE = 512;

  private final long maxBytes;
  private final long maxAgeMillis;
  private final OverflowPolicy telemetry;
  private final OverflowPolicy events;
  private long lowered = Long.MAX_VALUE;

  Retention(AgentConfig.Buffer limits) {
    this.maxBytes = limits.maxBytes();
    this.maxAgeMillis = limits.maxAge().toMillis();
    this.telemetry = OverflowPolicy.fromConfig(limits.telemetryOverflow());
    this.events = OverflowPolicy.fromConfig(limits.eventsOverflow());
  }

  /** The effective bound: {@code buffer.maxBytes}, lowered after the disk itself ran full. */
  long bound() {
    return Math.min(maxBytes, lowered);
  }

  /** The disk ran full holding {@code storedBytes}: keep 90 % of that from now on. */
  long lowerAfterFull(long storedBytes) {
    lowered = Math.max(MIN_BOUND, Math.min(bound(), (long) (storedBytes * 0.9)));
    return lowered;
  }

  boolean lowered() {
    return lowered != Long.MAX_VALUE;
  }

  /** Space came back: the configured bound applies again (and is lowered again if it runs full). */
  void lift() {
    lowered = Long.MAX_VALUE;
  }

  /**
   * Brings {@code projected} (stored + to insert - to delete) under the bound.
   *
   * @return the projected size after the drops
   */
  long shrink(long projected, Store store, List<Row> inserts, Map<Long, Long> dels, Drops drops) {
    // Below the configured bound only because the disk ran full: say so.
    String reason = lowered() && lowered < maxBytes ? "diskFull" : "maxBytes";
    if (telemetry == OverflowPolicy.DROP_NEWEST) {
      // dropNewest refuses new telemetry and never touches what is stored.
      projected = dropFrom(projected, bound(), inserts, Row.TELEMETRY, drops, reason, true);
    } else {
      projected = dropStored(projected, store, Row.TELEMETRY, dels, drops, reason);
      if (projected > bound()) {
        projected = dropFrom(projected, bound(), inserts, Row.TELEMETRY, drops, reason, false);
      }
    }
    if (projected > bound() && events == OverflowPolicy.DROP_OLDEST) {
      projected = dropStored(projected, store, Row.EVENT, dels, drops, reason);
    }
    if (projected > bound()) {
      Logger.warn(
          "outbox holds {} bytes of events and command results above its bound {}; kept (buffer.overflow.events = keep)",
          projected,
          bound());
    }
    return projected;
  }

  /**
   * While the store cannot be written: bounds what waits in memory ({@code held}, oldest first),
   * telemetry per its policy, then everything above the hard limit.
   */
  void shrinkHeld(List<Row> held, Drops drops) {
    long size = held.stream().mapToLong(Row::size).sum();
    String reason = "storeUnwritable";
    if (size > HELD_MAX_BYTES) {
      size =
          dropFrom(
              size,
              HELD_MAX_BYTES,
              held,
              Row.TELEMETRY,
              drops,
              reason,
              telemetry == OverflowPolicy.DROP_NEWEST);
    }
    if (size > HELD_HARD_MAX_BYTES) {
      dropFrom(size, HELD_HARD_MAX_BYTES, held, Row.EVENT, drops, reason, false);
    }
  }

  /** Drops stored telemetry (and events under {@code dropOldest}) older than {@code maxAge}. */
  void expire(long now, Store store, Map<Long, Long> dels, Drops drops) {
    long cutoff = now - maxAgeMillis;
    List<Integer> classes =
        events == OverflowPolicy.DROP_OLDEST
            ? List.of(Row.TELEMETRY, Row.EVENT)
            : List.of(Row.TELEMETRY);
    try {
      for (int cls : classes) {
        long after = 0;
        outer:
        while (true) {
          List<Row> page = store.oldest(cls, after, PAGE);
          for (Row r : page) {
            if (r.createdMillis() >= cutoff) {
              break outer;
            }
            after = r.rid();
            if (dels.putIfAbsent(r.rid(), r.size()) == null) {
              drops.add(r.seq(), "maxAge");
            }
          }
          if (page.size() < PAGE) {
            break;
          }
        }
      }
    } catch (Store.StoreException e) {
      // The store cannot be read right now; the next age check tries again.
      Logger.debug("outbox: age check skipped: {}", e.getMessage());
    }
  }

  private long dropStored(
      long projected, Store store, int cls, Map<Long, Long> dels, Drops drops, String reason) {
    long after = 0;
    try {
      while (projected > bound()) {
        List<Row> page = store.oldest(cls, after, PAGE);
        for (Row r : page) {
          after = r.rid();
          if (dels.putIfAbsent(r.rid(), r.size()) != null) {
            continue;
          }
          projected -= r.size();
          drops.add(r.seq(), reason);
          if (projected <= bound()) {
            break;
          }
        }
        if (page.size() < PAGE) {
          break;
        }
      }
    } catch (Store.StoreException e) {
      Logger.debug("outbox: cannot read the oldest stored messages: {}", e.getMessage());
    }
    return projected;
  }

  private static long dropFrom(
      long projected,
      long bound,
      List<Row> rows,
      int cls,
      Drops drops,
      String reason,
      boolean newest) {
    List<Row> candidates = new ArrayList<>(rows.stream().filter(r -> r.cls() == cls).toList());
    if (newest) {
      Collections.reverse(candidates);
    }
    List<Row> gone = new ArrayList<>();
    for (Row r : candidates) {
      if (projected <= bound) {
        break;
      }
      gone.add(r);
      projected -= r.size();
      drops.add(r.seq(), reason);
    }
    if (!gone.isEmpty()) {
      rows.removeAll(new java.util.HashSet<>(gone));
    }
    return projected;
  }
}
