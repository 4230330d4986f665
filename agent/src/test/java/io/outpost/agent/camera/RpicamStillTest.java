package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real capture path against a fake {@code rpicam-still} on the PATH: a shell script that
 * records its arguments and behaves like the tool does when it works, has no camera, hangs or
 * prints garbage.
 */
class RpicamStillTest {
  @TempDir Path bin;

  private RpicamStill camera(String tool, Duration timeout) {
    CameraSettings s =
        new CameraSettings("front", tool, 1, 640, 480, 80, 180, true, false, timeout, 4056, 3040);
    return new RpicamStill(s, Map.of("PATH", bin + ":/usr/bin:/bin"));
  }

  private Path fake(String name, String body) throws IOException {
    Path p = bin.resolve(name);
    Files.writeString(
        p, "#!/bin/sh\nprintf '%s ' \"$@\" > " + bin.resolve("args") + "\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void takesAJpegFromStdoutWithTheArgumentsAsAList() throws Exception {
    Path jpeg = bin.resolve("picture.jpg");
    Files.write(jpeg, new SimulatedCamera(Clock.systemUTC()).capture(320, 240, 80));
    fake("rpicam-still", "echo 'INFO lots of logging' >&2\ncat " + jpeg);
    byte[] got = camera("auto", Duration.ofSeconds(10)).capture(320, 240, 75);
    assertThat(got).isEqualTo(Files.readAllBytes(jpeg));
    assertThat(Files.readString(bin.resolve("args")).trim())
        .isEqualTo(
            "-n --immediate -t 1 -o - --thumb none --camera 1 --width 320 --height 240 -q 75"
                + " --rotation 180 --hflip");
  }

  @Test
  void fallsBackToLibcameraStillOnOlderImages() throws Exception {
    Path jpeg = bin.resolve("picture.jpg");
    Files.write(jpeg, new SimulatedCamera(Clock.systemUTC()).capture(64, 48, 80));
    Path tool = fake("libcamera-still", "cat " + jpeg);
    RpicamStill c = camera("auto", Duration.ofSeconds(10));
    assertThat(c.resolveTool()).isEqualTo(tool.toString());
    assertThat(c.capture(64, 48, 80)).isEqualTo(Files.readAllBytes(jpeg));
  }

  @Test
  void namesTheToolAndTheCameraWhenEitherIsMissing() throws Exception {
    RpicamStill none = camera("auto", Duration.ofSeconds(10));
    assertThatThrownBy(() -> none.capture(64, 48, 80))
        .hasMessage(
            "camera \"front\": neither rpicam-still nor libcamera-still is on the PATH"
                + " (install rpicam-apps: sudo apt install rpicam-apps)");
    assertThat(none.state()).contains("neither rpicam-still");

    fake("rpicam-still", "echo 'ERROR: *** no cameras available ***' >&2\nexit 255");
    assertThatThrownBy(() -> camera("auto", Duration.ofSeconds(10)).capture(64, 48, 80))
        .hasMessageContaining("camera \"front\" (" + bin.resolve("rpicam-still") + ", camera 1)")
        .hasMessageEndingWith(
            "no camera found (is it connected and enabled? ERROR: *** no cameras available ***)");
  }

  @Test
  void aHangingToolIsKilledAtTheTimeout() throws Exception {
    fake("rpicam-still", "exec sleep 30");
    long start = System.nanoTime();
    assertThatThrownBy(() -> camera("auto", Duration.ofMillis(500)).capture(64, 48, 80))
        .hasMessageEndingWith("no picture within 0 s (killed)");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void garbageOnStdoutIsNotAPicture() throws Exception {
    fake("rpicam-still", "printf 'hello, not a jpeg'");
    assertThatThrownBy(() -> camera("auto", Duration.ofSeconds(10)).capture(64, 48, 80))
        .hasMessageEndingWith("output is not a JPEG (17 bytes)");
    fake("rpicam-still", "head -c 300000 /dev/zero; printf 'x' >&2; exit 3");
    assertThatThrownBy(() -> camera("auto", Duration.ofSeconds(10)).capture(64, 48, 80))
        .hasMessageEndingWith("the tool failed with exit code 3: x");
  }

  @Test
  void aConfiguredPathIsUsedAsItIs() throws Exception {
    Path tool = fake("my-still", "exit 0");
    RpicamStill c = camera(tool.toString(), Duration.ofSeconds(10));
    assertThat(c.command(c.resolveTool(), 16, 16, 1)).startsWith(tool.toString(), "-n");
    assertThat(List.of()).isEmpty();
  }
}
