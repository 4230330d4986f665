package io.outpost.agent.camera;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * One frame as motion detection sees it: the size it was taken at, its brightness at the detector's
 * resolution ({@link MotionDetector#WIDTH} wide), and its thumbnail, made only when an event needs
 * one.
 *
 * @param width the frame's width (boxes in events are in these pixels)
 * @param height the frame's height
 * @param luma brightness 0..255, row by row, {@link MotionDetector#WIDTH} × {@link
 *     MotionDetector#heightFor} values
 * @param thumbnail the frame as a JPEG of a given size
 */
public record MotionFrame(int width, int height, int[] luma, Thumbnail thumbnail) {

  /** Makes the thumbnail of the frame, on demand. */
  @FunctionalInterface
  public interface Thumbnail {
    byte[] jpeg(int width, int height) throws IOException;
  }

  public MotionFrame {
    int expected = MotionDetector.WIDTH * MotionDetector.heightFor(width, height);
    if (luma.length != expected) {
      throw new IllegalArgumentException(
          "luma has " + luma.length + " values, expected " + expected);
    }
  }

  /** A frame from a camera that hands over JPEGs: decoded once, scaled down for the detector. */
  public static MotionFrame decode(byte[] jpeg) throws IOException {
    BufferedImage frame = ImageIO.read(new ByteArrayInputStream(jpeg));
    if (frame == null) {
      throw new IOException("the camera's frame is not a decodable JPEG");
    }
    return of(frame);
  }

  /** A decoded or drawn frame. */
  public static MotionFrame of(BufferedImage frame) {
    int w = frame.getWidth();
    int h = frame.getHeight();
    return new MotionFrame(
        w,
        h,
        MotionDetector.grey(frame, MotionDetector.WIDTH, MotionDetector.heightFor(w, h)),
        (tw, th) -> SimulatedCamera.jpeg(scaled(frame, tw, th), 70));
  }

  private static BufferedImage scaled(BufferedImage frame, int width, int height) {
    BufferedImage t = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    var g = t.createGraphics();
    try {
      g.drawImage(frame, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return t;
  }
}
