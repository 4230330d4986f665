package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.outpost.realtime.Participant;
import io.outpost.realtime.PresenceChange;
import java.util.List;
import org.junit.jupiter.api.Test;

class RostersTest {

  private static Participant peer(String id, String name) {
    JsonObject m = new JsonObject();
    if (name != null) {
      m.addProperty("name", name);
    }
    return new Participant(id, m);
  }

  @Test
  void deltasAreDeduplicated() {
    Rosters rosters = new Rosters();
    PresenceChange first = rosters.apply("room", List.of(peer("a", "Ann")), List.of(), false, "me");
    assertThat(first.joined()).extracting(Participant::peerId).containsExactly("a");
    assertThat(rosters.apply("room", List.of(peer("a", "Ann")), List.of(), false, "me")).isNull();
    assertThat(rosters.apply("room", List.of(), List.of(peer("zz", null)), false, "me")).isNull();
    PresenceChange left = rosters.apply("room", List.of(), List.of(peer("a", null)), false, "me");
    assertThat(left.left()).extracting(Participant::peerId).containsExactly("a");
    assertThat(left.left().get(0).metadataString("name")).contains("Ann");
    assertThat(rosters.get("room").size()).isZero();
  }

  @Test
  void snapshotIsDiffedAgainstTheCache() {
    Rosters rosters = new Rosters();
    rosters.apply("room", List.of(peer("a", "Ann"), peer("b", "Bob")), List.of(), true, "me");
    // While we were away: b left, c joined. The snapshot after re-subscribing lists a and c.
    PresenceChange change =
        rosters.apply("room", List.of(peer("a", "Ann"), peer("c", "Cy")), List.of(), true, "me");
    assertThat(change.snapshot()).isTrue();
    assertThat(change.joined()).extracting(Participant::peerId).containsExactly("c");
    assertThat(change.left()).extracting(Participant::peerId).containsExactly("b");
    assertThat(change.roster().participants())
        .extracting(Participant::peerId)
        .containsExactly("a", "c");
  }

  @Test
  void unchangedSnapshotReportsNothingAndSelfIsNeverListed() {
    Rosters rosters = new Rosters();
    rosters.apply("room", List.of(peer("a", "Ann"), peer("me", "Me")), List.of(), true, "me");
    assertThat(rosters.get("room").contains("me")).isFalse();
    assertThat(rosters.apply("room", List.of(peer("a", "Ann")), List.of(), true, "me")).isNull();
  }

  @Test
  void rosterQueriesByPeerIdAndMetadata() {
    Rosters rosters = new Rosters();
    rosters.apply(
        "room",
        List.of(peer("a", "Ann"), peer("b", "Bob"), peer("c", "Ann")),
        List.of(),
        true,
        "me");
    assertThat(rosters.get("room").get("b").flatMap(p -> p.metadataString("name"))).contains("Bob");
    assertThat(rosters.get("room").findByMetadata("name", "Ann"))
        .extracting(Participant::peerId)
        .containsExactly("a", "c");
    assertThat(rosters.get("other").size()).isZero();
    rosters.remove("room");
    assertThat(rosters.get("room").size()).isZero();
  }
}
