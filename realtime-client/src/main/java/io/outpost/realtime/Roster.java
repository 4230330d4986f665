package io.outpost.realtime;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of who is present on one channel (other peers only; this client itself is
 * never listed). Obtain the latest with {@link RealtimeClient#roster(String)}.
 */
public final class Roster {

  private final String channel;
  private final Map<String, Participant> byPeerId;

  /** Builds a snapshot; the collection is copied in iteration order (join order). */
  public Roster(String channel, Collection<Participant> participants) {
    this.channel = channel;
    Map<String, Participant> copy = new LinkedHashMap<>();
    for (Participant participant : participants) {
      copy.put(participant.peerId(), participant);
    }
    this.byPeerId = Collections.unmodifiableMap(copy);
  }

  /** The channel this roster describes. */
  public String channel() {
    return channel;
  }

  /** Participants in join order. */
  public List<Participant> participants() {
    return List.copyOf(byPeerId.values());
  }

  /** The participant with this peerId, if present. */
  public Optional<Participant> get(String peerId) {
    return Optional.ofNullable(byPeerId.get(peerId));
  }

  /** Whether a peer with this peerId is present. */
  public boolean contains(String peerId) {
    return byPeerId.containsKey(peerId);
  }

  /**
   * Participants whose string metadata field {@code field} equals {@code value} (e.g. {@code
   * "name"}).
   */
  public List<Participant> findByMetadata(String field, String value) {
    return byPeerId.values().stream()
        .filter(p -> p.metadataString(field).map(value::equals).orElse(false))
        .toList();
  }

  /** Number of participants. */
  public int size() {
    return byPeerId.size();
  }

  @Override
  public String toString() {
    return "Roster[" + channel + ": " + byPeerId.keySet() + "]";
  }
}
