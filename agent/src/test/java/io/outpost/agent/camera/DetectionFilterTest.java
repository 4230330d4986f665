package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DetectionFilterTest {
  private final Detection person = new Detection("person", 0, 0.9, 100, 100, 50, 100);

  @Test
  void theSameObjectInTheSamePlaceIsReportedOncePerWindow() {
    DetectionFilter f = new DetectionFilter(0.5, 5000, 60);
    assertThat(f.accept(person, 0)).isTrue();
    assertThat(f.accept(new Detection("person", 0, 0.8, 104, 102, 50, 100), 1000)).isFalse();
    assertThat(f.accept(new Detection("cat", 15, 0.8, 104, 102, 50, 100), 1000)).isTrue();
    assertThat(f.accept(new Detection("person", 0, 0.9, 400, 100, 50, 100), 1500)).isTrue();
    assertThat(f.accept(person, 5001)).isTrue();
    assertThat(f.suppressed()).isEqualTo(1);
  }

  @Test
  void lowConfidenceAndFloodsAreHeldBack() {
    DetectionFilter f = new DetectionFilter(0.5, 0, 3);
    assertThat(f.accept(new Detection("person", 0, 0.4, 0, 0, 10, 10), 0)).isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(f.accept(new Detection("p" + i, 0, 0.9, 0, 0, 10, 10), i)).isTrue();
    }
    assertThat(f.accept(new Detection("p9", 0, 0.9, 0, 0, 10, 10), 10)).isFalse();
    assertThat(f.accept(new Detection("p9", 0, 0.9, 0, 0, 10, 10), 60_011)).isTrue();
  }
}
