package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.config.Problems;
import io.outpost.plugin.ConfigException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CamerasTest {
  private final Clock clock = Clock.systemUTC();

  @Test
  void aSimulatedCameraWithMotionBecomesSettingsAPlanAHandlerAndAService() {
    Problems problems = new Problems();
    Cameras cameras =
        Cameras.build(
            List.of(
                Map.of(
                    "name",
                    "cam",
                    "type",
                    "simulated",
                    "width",
                    640,
                    "height",
                    480,
                    "motion",
                    Map.of("interval", "500ms", "minArea", 0.02))),
            "p.json",
            clock,
            problems);
    assertThat(problems.all()).isEmpty();
    Cameras.Configured c = cameras.list().get(0);
    assertThat(c.settings().width()).isEqualTo(640);
    assertThat(c.settings().tool()).isEqualTo("auto");
    assertThat(c.source()).isInstanceOf(SimulatedCamera.class);
    assertThat(c.plan().motionInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.plan().motionMinArea()).isEqualTo(0.02);
    assertThat(c.plan().snapshotInterval()).isZero();
    assertThat(c.plan().detectionPort()).isZero();
    assertThat(cameras.commandHandlers(e -> {}))
        .extracting(h -> h.name())
        .containsExactly("camera.snapshot");
    assertThat(cameras.services()).extracting(s -> s.name()).containsExactly("camera.cam");
  }

  @Test
  void anRpicamCameraTakesToolIndexAndFlips() {
    Problems problems = new Problems();
    Cameras cameras =
        Cameras.build(
            List.of(
                Map.of(
                    "name",
                    "front",
                    "type",
                    "rpicam",
                    "tool",
                    "libcamera-still",
                    "index",
                    1,
                    "rotation",
                    180,
                    "hflip",
                    true,
                    "timeout",
                    "3s",
                    "detections",
                    Map.of("udpPort", 6000))),
            "p.json",
            clock,
            problems);
    assertThat(problems.all()).isEmpty();
    CameraSettings s = cameras.list().get(0).settings();
    assertThat(s.tool()).isEqualTo("libcamera-still");
    assertThat(s.index()).isEqualTo(1);
    assertThat(s.rotation()).isEqualTo(180);
    assertThat(s.hflip()).isTrue();
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(cameras.list().get(0).source()).isInstanceOf(RpicamStill.class);
    assertThat(cameras.list().get(0).plan().detectionPort()).isEqualTo(6000);
  }

  @Test
  void problemsNameTheFileTheEntryAndTheKey() {
    Problems problems = new Problems();
    Cameras cameras =
        Cameras.build(
            List.of(
                Map.of("name", "a", "type", "webcam"),
                Map.of("name", "b", "type", "rpicam", "quality", 101),
                Map.of("name", "c", "type", "rpicam", "rotation", 90),
                Map.of("name", "d", "type", "rpicam", "colour", "red"),
                Map.of("name", "e", "type", "rpicam", "detections", Map.of()),
                Map.of("type", "rpicam"),
                Map.of("name", "g"),
                Map.of("name", "h", "type", "simulated")),
            "cams.json",
            clock,
            problems);
    List<String> messages = problems.all().stream().map(ConfigException::getMessage).toList();
    assertThat(messages).hasSize(7);
    assertThat(messages.get(0)).contains("cams.json", "cameras[0]", "type", "webcam");
    assertThat(messages.get(1)).contains("cameras[1]", "quality", "101");
    assertThat(messages.get(2)).contains("cameras[2]", "rotation", "90");
    assertThat(messages.get(3)).contains("cameras[3]", "colour");
    assertThat(messages.get(4)).contains("cameras[4]", "udpPort", "missing");
    assertThat(messages.get(5)).contains("cameras[5]", "name");
    assertThat(messages.get(6)).contains("cameras[6]", "type", "missing");
    assertThat(cameras.list()).extracting(c -> c.settings().name()).containsExactly("h");
  }

  @Test
  void noSectionIsNoCamerasAndNotAList() {
    Problems problems = new Problems();
    assertThat(Cameras.build(null, "p.json", clock, problems).list()).isEmpty();
    assertThat(Cameras.build(null, "p.json", clock, problems).commandHandlers(e -> {})).isEmpty();
    Cameras.build("cam", "p.json", clock, problems);
    assertThat(problems.all()).singleElement().asString().contains("p.json", "cameras", "list");
  }
}
