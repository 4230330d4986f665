package io.outpost.realtime;

import java.util.List;

/**
 * A change of a channel's roster, after de-duplication against the client's cached roster.
 *
 * @param channel the channel
 * @param joined peers that appeared
 * @param left peers that went away
 * @param snapshot {@code true} when this change came from the full snapshot the server sends after
 *     a (re)subscribe: peers cached before but missing from the snapshot are reported as left
 * @param roster the roster after applying the change
 */
public record PresenceChange(
    String channel,
    List<Participant> joined,
    List<Participant> left,
    boolean snapshot,
    Roster roster) {

  public PresenceChange {
    joined = List.copyOf(joined);
    left = List.copyOf(left);
  }
}
