package io.outpost.realtime.internal;

import io.outpost.realtime.Participant;
import io.outpost.realtime.PresenceChange;
import io.outpost.realtime.Roster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-channel presence rosters. Deltas are applied with de-duplication; the first presence after a
 * (re)subscribe is a full snapshot and is diffed against the cache, so peers that left while we
 * were disconnected are reported as left. Mutated on the event thread; read snapshots from any
 * thread.
 */
public final class Rosters {

  private final Map<String, LinkedHashMap<String, Participant>> live = new HashMap<>();
  private final Map<String, Roster> published = new ConcurrentHashMap<>();

  /**
   * Applies one presence frame. Returns the effective change, or {@code null} when nothing changed
   * (a delta that repeated known state).
   *
   * @param selfPeerId our own peerId, never listed
   * @param snapshot whether this frame is the full membership
   */
  public PresenceChange apply(
      String channel,
      List<Participant> joined,
      List<Participant> left,
      boolean snapshot,
      String selfPeerId) {
    LinkedHashMap<String, Participant> roster =
        live.computeIfAbsent(channel, c -> new LinkedHashMap<>());
    List<Participant> reallyJoined = new ArrayList<>();
    List<Participant> reallyLeft = new ArrayList<>();
    if (snapshot) {
      Set<String> present = new HashSet<>();
      for (Participant p : joined) {
        present.add(p.peerId());
      }
      for (Participant p : left) {
        present.remove(p.peerId());
      }
      present.remove(selfPeerId);
      for (Participant old : new ArrayList<>(roster.values())) {
        if (!present.contains(old.peerId())) {
          roster.remove(old.peerId());
          reallyLeft.add(old);
        }
      }
    }
    for (Participant p : joined) {
      if (p.peerId().equals(selfPeerId)) {
        continue;
      }
      Participant previous = roster.put(p.peerId(), p);
      if (previous == null) {
        reallyJoined.add(p);
      } else if (!previous.metadata().equals(p.metadata())) {
        // Metadata changed (a reconnect with a new token): report as leave + join so listeners
        // refresh.
        reallyLeft.add(previous);
        reallyJoined.add(p);
      }
    }
    if (!snapshot) {
      for (Participant p : left) {
        Participant removed = roster.remove(p.peerId());
        if (removed != null) {
          reallyLeft.add(removed);
        }
      }
    }
    Roster view = new Roster(channel, roster.values());
    published.put(channel, view);
    if (reallyJoined.isEmpty() && reallyLeft.isEmpty()) {
      return null;
    }
    return new PresenceChange(channel, reallyJoined, reallyLeft, snapshot, view);
  }

  /** Forgets a channel (after unsubscribe). */
  public void remove(String channel) {
    live.remove(channel);
    published.remove(channel);
  }

  /** The latest roster, empty when unknown. Any thread. */
  public Roster get(String channel) {
    Roster r = published.get(channel);
    return r != null ? r : new Roster(channel, List.of());
  }

  /** Forgets everything. */
  public void clear() {
    live.clear();
    published.clear();
  }
}
