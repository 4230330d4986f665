package io.outpost.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OverflowPolicyTest {
  @Test
  void configurationNamesMapToPoliciesAndBack() {
    assertThat(OverflowPolicy.fromConfig("dropOldest")).isEqualTo(OverflowPolicy.DROP_OLDEST);
    assertThat(OverflowPolicy.fromConfig("dropNewest")).isEqualTo(OverflowPolicy.DROP_NEWEST);
    assertThat(OverflowPolicy.fromConfig("keep")).isEqualTo(OverflowPolicy.KEEP);
    for (OverflowPolicy p : OverflowPolicy.values()) {
      assertThat(OverflowPolicy.fromConfig(p.configName())).isEqualTo(p);
    }
  }

  @Test
  void anUnknownNameSaysWhatIsAllowed() {
    assertThatThrownBy(() -> OverflowPolicy.fromConfig("dropAll"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"dropAll\"")
        .hasMessageContaining("dropOldest, dropNewest or keep");
  }
}
