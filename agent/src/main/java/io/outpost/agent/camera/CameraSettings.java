package io.outpost.agent.camera;

import java.time.Duration;
import java.util.List;

/**
 * How to take pictures with one camera.
 *
 * @param tool {@code rpicam-still}, {@code libcamera-still}, a path, or {@code auto} (the first of
 *     the two names found on the PATH)
 * @param index the camera's index for {@code --camera} (0 on a one-camera Pi)
 * @param width default snapshot width in pixels
 * @param height default snapshot height in pixels
 * @param quality default JPEG quality 1..100
 * @param rotation 0 or 180 (what rpicam-apps' {@code --rotation} accepts)
 * @param hflip mirror left-right
 * @param vflip mirror top-bottom
 * @param timeout the longest one capture may take before the tool is killed
 * @param maxWidth the largest width a command may ask for
 * @param maxHeight the largest height a command may ask for
 */
public record CameraSettings(
    String name,
    String tool,
    int index,
    int width,
    int height,
    int quality,
    int rotation,
    boolean hflip,
    boolean vflip,
    Duration timeout,
    int maxWidth,
    int maxHeight) {

  /** The names tried, in order, for {@code tool: "auto"}. */
  public static final List<String> AUTO_TOOLS = List.of("rpicam-still", "libcamera-still");

  public CameraSettings {
    if (width < 16 || height < 16 || width > maxWidth || height > maxHeight) {
      throw new IllegalArgumentException(
          "width x height must be 16x16.."
              + maxWidth
              + "x"
              + maxHeight
              + ", got "
              + width
              + "x"
              + height);
    }
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("quality must be 1..100, got " + quality);
    }
    if (rotation != 0 && rotation != 180) {
      throw new IllegalArgumentException("rotation must be 0 or 180, got " + rotation);
    }
  }

  /** Defaults for camera {@code name}: auto tool, camera 0, 1280x720, quality 85, 10 s timeout. */
  public static CameraSettings defaults(String name) {
    return new CameraSettings(
        name, "auto", 0, 1280, 720, 85, 0, false, false, Duration.ofSeconds(10), 4056, 3040);
  }
}
