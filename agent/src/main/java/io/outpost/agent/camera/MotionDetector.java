package io.outpost.agent.camera;

import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * Frame differencing on small grey frames: each frame is scaled to {@link #WIDTH} pixels wide (area
 * averaging), compared with the previous one pixel by pixel, and counted as motion when the share
 * of pixels whose brightness changed by more than {@code pixelThreshold} reaches {@code minArea}.
 * After an event nothing is reported for {@code cooldownMillis}. The cost is the downscale plus
 * 80×60 comparisons a frame, whatever the camera's resolution (docs/camera.md has the figures). Not
 * thread-safe.
 */
public final class MotionDetector {
  /** Width of the frames compared; the height keeps the aspect ratio. */
  public static final int WIDTH = 80;

  /** What moved: the changed share of the frame and its bounding box in frame pixels. */
  public record Motion(double area, int x, int y, int width, int height) {}

  private final int pixelThreshold;
  private final double minArea;
  private final long cooldownMillis;
  private int[] previous;
  private int prevW;
  private int prevH;
  private long quietUntil = Long.MIN_VALUE;

  public MotionDetector(int pixelThreshold, double minArea, long cooldownMillis) {
    this.pixelThreshold = pixelThreshold;
    this.minArea = minArea;
    this.cooldownMillis = cooldownMillis;
  }

  /** The height of the compared frames for a frame of {@code width}×{@code height}. */
  public static int heightFor(int width, int height) {
    return Math.max(1, height * WIDTH / width);
  }

  /**
   * Compares {@code frame} with the one before; an event when enough changed and not cooling down.
   */
  public Optional<Motion> offer(BufferedImage frame, long nowMillis) {
    return offer(MotionFrame.of(frame), nowMillis);
  }

  /** As {@link #offer(BufferedImage, long)}, for a frame already scaled down. */
  public Optional<Motion> offer(MotionFrame frame, long nowMillis) {
    int w = WIDTH;
    int h = heightFor(frame.width(), frame.height());
    int[] grey = frame.luma();
    int[] before = previous;
    boolean comparable = before != null && prevW == w && prevH == h;
    previous = grey;
    prevW = w;
    prevH = h;
    if (!comparable) {
      return Optional.empty();
    }
    int changed = 0;
    int minX = w;
    int minY = h;
    int maxX = -1;
    int maxY = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        if (Math.abs(grey[i] - before[i]) > pixelThreshold) {
          changed++;
          minX = Math.min(minX, x);
          minY = Math.min(minY, y);
          maxX = Math.max(maxX, x);
          maxY = Math.max(maxY, y);
        }
      }
    }
    double area = (double) changed / (w * h);
    if (area < minArea || nowMillis < quietUntil) {
      return Optional.empty();
    }
    quietUntil = nowMillis + cooldownMillis;
    double sx = (double) frame.width() / w;
    double sy = (double) frame.height() / h;
    return Optional.of(
        new Motion(
            Math.round(area * 1000) / 1000.0,
            (int) (minX * sx),
            (int) (minY * sy),
            (int) Math.ceil((maxX - minX + 1) * sx),
            (int) Math.ceil((maxY - minY + 1) * sy)));
  }

  /** The brightness (0..255) of an RGB pixel: BT.601 weights in 8-bit fixed point. */
  static int luma(int rgb) {
    return (((rgb >> 16) & 0xff) * 77 + ((rgb >> 8) & 0xff) * 150 + (rgb & 0xff) * 29) >> 8;
  }

  /** Area-averaged brightness (0..255) of {@code img} at {@code w}×{@code h}. */
  static int[] grey(BufferedImage img, int w, int h) {
    long[] sum = new long[w * h];
    int[] n = new int[w * h];
    int iw = img.getWidth();
    int ih = img.getHeight();
    int[] row = new int[iw];
    for (int y = 0; y < ih; y++) {
      img.getRGB(0, y, iw, 1, row, 0, iw);
      int gy = Math.min(h - 1, y * h / ih);
      for (int x = 0; x < iw; x++) {
        int lum = luma(row[x]);
        int i = gy * w + Math.min(w - 1, x * w / iw);
        sum[i] += lum;
        n[i]++;
      }
    }
    int[] out = new int[w * h];
    for (int i = 0; i < out.length; i++) {
      out[i] = n[i] == 0 ? 0 : (int) (sum[i] / n[i]);
    }
    return out;
  }
}
