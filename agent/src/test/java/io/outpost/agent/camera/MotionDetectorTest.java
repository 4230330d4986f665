package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MotionDetectorTest {
  private final SimulatedCamera scene = new SimulatedCamera(java.time.Clock.systemUTC(), 30, 10);
  private final Instant t0 = Instant.parse("2026-12-01T12:00:00Z"); // the ball enters at :00

  @Test
  void aStillSceneIsNotMotion() {
    MotionDetector d = new MotionDetector(25, 0.01, 0);
    for (int s = 15; s < 25; s++) { // the ball is away from :10 to :30
      assertThat(d.offer(scene.frame(t0.plusSeconds(s), 320, 240), s * 1000L)).isEmpty();
    }
  }

  @Test
  void theMovingBallIsMotionWhereItIs() {
    MotionDetector d = new MotionDetector(25, 0.01, 0);
    assertThat(d.offer(scene.frame(t0.plusSeconds(4), 320, 240), 4000)).isEmpty(); // first frame
    var m = d.offer(scene.frame(t0.plusSeconds(5), 320, 240), 5000).orElseThrow();
    assertThat(m.area()).isGreaterThan(0.01);
    // The box spans where the ball was at :04 (x 92..152) and is at :05 (x 130..190), on the
    // horizon at y = 144.
    assertThat(m.x()).isBetween(80, 100);
    assertThat(m.x() + m.width()).isBetween(185, 205);
    assertThat(m.y() + m.height()).isBetween(110, 180);
  }

  @Test
  void cooldownHoldsBackTheNextEvents() {
    MotionDetector d = new MotionDetector(25, 0.01, 3000);
    d.offer(scene.frame(t0.plusSeconds(1), 320, 240), 1000);
    assertThat(d.offer(scene.frame(t0.plusSeconds(2), 320, 240), 2000)).isPresent();
    assertThat(d.offer(scene.frame(t0.plusSeconds(3), 320, 240), 3000)).isEmpty();
    assertThat(d.offer(scene.frame(t0.plusSeconds(4), 320, 240), 4000)).isEmpty();
    assertThat(d.offer(scene.frame(t0.plusSeconds(5), 320, 240), 5000)).isPresent();
  }
}
