package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.plugin.testkit.FakeClock;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SimulatedCameraTest {
  private final Instant t0 = Instant.parse("2026-12-01T12:00:00Z"); // the ball enters at :00
  private final FakeClock clock = new FakeClock(t0);
  private final SimulatedCamera camera = new SimulatedCamera(clock, 30, 10);

  @Test
  void motionFramesAreTheFullFrameScaledDownWithoutDrawingIt() {
    // Ball entering, crossing, leaving, and away; at the size the service uses and another.
    for (int s : new int[] {0, 1, 4, 5, 9, 20}) {
      for (int[] size : new int[][] {{320, 240}, {640, 480}}) {
        Instant at = t0.plusMillis(s * 1000L + 250);
        int[] small = camera.luma(at, size[0], size[1]);
        int[] full =
            MotionDetector.grey(
                camera.frame(at, size[0], size[1]),
                MotionDetector.WIDTH,
                MotionDetector.heightFor(size[0], size[1]));
        int worst = 0;
        long sum = 0;
        for (int i = 0; i < full.length; i++) {
          int d = Math.abs(small[i] - full[i]);
          worst = Math.max(worst, d);
          sum += d;
        }
        String at_ = s + "s at " + size[0] + "x" + size[1];
        // Far below the detector's default threshold of 25 grey levels.
        assertThat(worst).as("largest difference, " + at_).isLessThanOrEqualTo(8);
        assertThat((double) sum / full.length).as("mean difference, " + at_).isLessThan(0.5);
      }
    }
  }

  @Test
  void motionFramesFindTheBallWhereFullFramesDo() {
    MotionDetector small = new MotionDetector(25, 0.01, 0);
    MotionDetector full = new MotionDetector(25, 0.01, 0);
    for (int s = 3; s <= 6; s++) {
      clock.set(t0.plusSeconds(s));
      var a = small.offer(camera.motionFrame(320, 240), s * 1000L);
      var b = full.offer(camera.frame(clock.instant(), 320, 240), s * 1000L);
      assertThat(a.isPresent()).isEqualTo(b.isPresent()).isEqualTo(s > 3);
      if (a.isPresent()) {
        assertThat(a.get().x()).isCloseTo(b.get().x(), org.assertj.core.data.Offset.offset(4));
        assertThat(a.get().width())
            .isCloseTo(b.get().width(), org.assertj.core.data.Offset.offset(8));
        assertThat(a.get().area())
            .isCloseTo(b.get().area(), org.assertj.core.data.Offset.offset(0.01));
      }
    }
  }

  @Test
  void theThumbnailIsAJpegOfTheSameMoment() throws Exception {
    clock.set(t0.plusSeconds(5));
    MotionFrame f = camera.motionFrame(320, 240);
    clock.set(t0.plusSeconds(20)); // the ball has gone; the thumbnail still shows it
    byte[] jpeg = f.thumbnail().jpeg(160, 120);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
    assertThat(img.getWidth()).isEqualTo(160);
    assertThat(img.getHeight()).isEqualTo(120);
    int ball = img.getRGB(80, 72 - 15); // at :05 the ball is in the middle, on the horizon
    assertThat((ball >> 16) & 0xff).isGreaterThan(150);
    assertThat((ball >> 8) & 0xff).isLessThan(90);
  }
}
