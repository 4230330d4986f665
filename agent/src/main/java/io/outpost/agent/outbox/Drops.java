package io.outpost.agent.outbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Messages given up in one writer round, per reason, turned into exact {@code buffer.dropped}
 * announcements: each range covers only seqs that were dropped (a kept message in between splits
 * it), so a consumer can tell a deliberate gap from a loss. Messages without a seq (off the events
 * channel) are announced by count only.
 */
final class Drops {
  /** One announcement; {@code fromSeq}/{@code toSeq} are 0 for a count-only one. */
  record Range(long fromSeq, long toSeq, long count, String reason) {}

  private final Map<String, TreeSet<Long>> seqs = new LinkedHashMap<>();
  private final Map<String, long[]> unsequenced = new LinkedHashMap<>();

  void add(long seq, String reason) {
    if (seq > 0) {
      seqs.computeIfAbsent(reason, k -> new TreeSet<>()).add(seq);
    } else {
      unsequenced.computeIfAbsent(reason, k -> new long[1])[0]++;
    }
  }

  /** Adds what {@code r} announces (again: it could not be announced yet). */
  void add(Range r) {
    if (r.fromSeq() > 0) {
      for (long s = r.fromSeq(); s <= r.toSeq(); s++) {
        add(s, r.reason());
      }
    } else {
      unsequenced.computeIfAbsent(r.reason(), k -> new long[1])[0] += r.count();
    }
  }

  void addAll(Drops other) {
    other.seqs.forEach((r, s) -> seqs.computeIfAbsent(r, k -> new TreeSet<>()).addAll(s));
    other.unsequenced.forEach(
        (r, n) -> unsequenced.computeIfAbsent(r, k -> new long[1])[0] += n[0]);
  }

  void clear() {
    seqs.clear();
    unsequenced.clear();
  }

  /** The lowest seq recorded, or {@code Long.MAX_VALUE}. */
  long firstSeq() {
    long first = Long.MAX_VALUE;
    for (TreeSet<Long> s : seqs.values()) {
      first = Math.min(first, s.first());
    }
    return first;
  }

  boolean isEmpty() {
    return seqs.isEmpty() && unsequenced.isEmpty();
  }

  List<Range> ranges() {
    List<Range> out = new ArrayList<>();
    seqs.forEach(
        (reason, set) -> {
          long from = -1;
          long to = -1;
          for (long s : set) {
            if (from >= 0 && s != to + 1) {
              out.add(new Range(from, to, to - from + 1, reason));
              from = -1;
            }
            if (from < 0) {
              from = s;
            }
            to = s;
          }
          if (from >= 0) {
            out.add(new Range(from, to, to - from + 1, reason));
          }
        });
    unsequenced.forEach((reason, n) -> out.add(new Range(0, 0, n[0], reason)));
    return out;
  }
}
