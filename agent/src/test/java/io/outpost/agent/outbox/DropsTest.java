package io.outpost.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DropsTest {
  @Test
  void eachAnnouncementCoversOnlySeqsThatWereDropped() {
    Drops d = new Drops();
    for (long s : new long[] {7, 2, 3, 4, 9, 8}) {
      d.add(s, "maxBytes");
    }
    d.add(5, "maxAge");
    d.add(0, "maxBytes"); // a message off the events channel has no seq
    d.add(0, "maxBytes");
    assertThat(d.ranges())
        .containsExactly(
            new Drops.Range(2, 4, 3, "maxBytes"),
            new Drops.Range(7, 9, 3, "maxBytes"),
            new Drops.Range(5, 5, 1, "maxAge"),
            new Drops.Range(0, 0, 2, "maxBytes"));
  }

  @Test
  void drainingMovesEverythingAndLeavesNothing() {
    Drops from = new Drops();
    from.add(1, "unreadable");
    Drops to = new Drops();
    to.add(2, "unreadable");
    to.addAll(from);
    from.clear();
    assertThat(from.isEmpty()).isTrue();
    assertThat(to.ranges()).containsExactly(new Drops.Range(1, 2, 2, "unreadable"));
  }
}
