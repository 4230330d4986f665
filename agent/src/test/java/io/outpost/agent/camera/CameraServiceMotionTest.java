package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Motion detection as the service runs it: a ball crossing the simulated scene becomes {@code
 * camera.motion} events with a box and a thumbnail, whether the camera draws its frames or only
 * hands over JPEGs (as rpicam-still does).
 */
class CameraServiceMotionTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final CameraServiceBudgetTest.FakeUplink uplink =
      new CameraServiceBudgetTest.FakeUplink();
  private CameraService service;

  @AfterEach
  void tearDown() {
    if (service != null) {
      service.close();
    }
    timer.shutdownNow();
  }

  @Test
  void theSimulatedCameraReportsTheCrossingBall() throws Exception {
    // The ball crosses in 1 s of every 2 s: ticks of 100 ms see it move.
    assertMotionEvents(new SimulatedCamera(Clock.systemUTC(), 2, 1));
  }

  @Test
  void aCameraThatOnlyTakesJpegsIsDecodedForMotion() throws Exception {
    SimulatedCamera scene = new SimulatedCamera(Clock.systemUTC(), 2, 1);
    assertMotionEvents(
        new FrameSource() {
          @Override
          public byte[] capture(int width, int height, int quality) throws IOException {
            return scene.capture(width, height, quality);
          }

          @Override
          public String state() {
            return "ok";
          }
        });
  }

  private void assertMotionEvents(FrameSource source) throws Exception {
    uplink.connected = true;
    CameraSettings settings =
        new CameraSettings(
            "cam", "auto", 0, 320, 240, 80, 0, false, false, Duration.ofSeconds(5), 640, 480);
    service =
        new CameraService(
            settings,
            source,
            new CameraService.Plan(
                Duration.ZERO,
                320,
                240,
                Duration.ofMillis(100),
                25,
                0.01,
                Duration.ZERO,
                0,
                0.5,
                Duration.ZERO,
                60,
                1 << 20),
            Attachments.DEFAULT_MAX_DATA_CHARS);
    service.start(new CameraServiceBudgetTest.Context(timer, uplink));

    await().atMost(Duration.ofSeconds(10)).until(() -> uplink.events.size() >= 2);
    assertThat(service.health()).isEqualTo("ok");
    Map<String, Object> e = uplink.events.get(0);
    assertThat(e).containsEntry("type", "camera.motion").containsEntry("camera", "cam");
    assertThat(e.get("frame")).isEqualTo(List.of(320, 240));
    assertThat((double) e.get("area")).isGreaterThanOrEqualTo(0.01);
    @SuppressWarnings("unchecked")
    List<Integer> box = (List<Integer>) e.get("box");
    // The ball rolls along the horizon at y = 144 with a radius of 30.
    assertThat(box.get(1) + box.get(3)).isBetween(130, 160);
    @SuppressWarnings("unchecked")
    Map<String, Object> thumb = (Map<String, Object>) e.get("attachment");
    assertThat(thumb).containsEntry("contentType", "image/jpeg").containsKey("data");
  }
}
