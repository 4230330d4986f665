package io.outpost.agent.camera;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A camera for development and the demo: a still scene (a gradient sky over a floor) that a ball
 * crosses for {@code visibleSeconds} out of every {@code periodSeconds}, so motion detection has
 * something to find and something to ignore. Frames are computed pixel by pixel and JPEG-encoded
 * with the JDK's ImageIO, nothing else. Motion detection gets the scene drawn straight at the
 * detector's small size, so a tick costs a few thousand pixels and no JPEG; only pictures that are
 * sent (snapshots, thumbnails) are drawn at full size and encoded.
 */
public final class SimulatedCamera implements FrameSource {
  private static final int SKY_TOP = 0x78aadc; // (120, 170, 220)
  private static final int SKY_HORIZON = 0xd2e1f0; // (210, 225, 240)
  private static final int FLOOR = 0x5a6e50; // (90, 110, 80)
  private static final int BALL = 0xc82828; // (200, 40, 40)

  private final Clock clock;
  private final int periodSeconds;
  private final int visibleSeconds;

  public SimulatedCamera(Clock clock) {
    this(clock, 30, 10);
  }

  public SimulatedCamera(Clock clock, int periodSeconds, int visibleSeconds) {
    this.clock = clock;
    this.periodSeconds = periodSeconds;
    this.visibleSeconds = visibleSeconds;
  }

  @Override
  public String state() {
    return "ok";
  }

  @Override
  public byte[] capture(int width, int height, int quality) throws IOException {
    return jpeg(frame(clock.instant(), width, height), quality);
  }

  @Override
  public MotionFrame motionFrame(int width, int height) {
    Instant at = clock.instant();
    return new MotionFrame(
        width, height, luma(at, width, height), (tw, th) -> jpeg(frame(at, tw, th), 70));
  }

  /** The scene at {@code at}. */
  public BufferedImage frame(Instant at, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    draw(
        at,
        width,
        height,
        width,
        height,
        ((DataBufferInt) img.getRaster().getDataBuffer()).getData());
    return img;
  }

  /**
   * The brightness of the scene of a {@code width}×{@code height} frame at {@code at}, scaled down
   * to the motion detector's size, as {@link MotionDetector#grey} would compute it from {@link
   * #frame}.
   */
  int[] luma(Instant at, int width, int height) {
    int w = MotionDetector.WIDTH;
    int h = MotionDetector.heightFor(width, height);
    int[] px = new int[w * h];
    draw(at, width, height, w, h, px);
    for (int i = 0; i < px.length; i++) {
      px[i] = MotionDetector.luma(px[i]);
    }
    return px;
  }

  /**
   * Draws the scene of a {@code width}×{@code height} frame into {@code outW}×{@code outH} RGB
   * pixels, each the mean of the frame area it covers: exact for the sky's gradient and the
   * horizon, approximated from the distance of the pixel's centre for the ball's edge (which also
   * anti-aliases it at full size).
   */
  private void draw(Instant at, int width, int height, int outW, int outH, int[] px) {
    double sx = (double) width / outW;
    double sy = (double) height / outH;
    int horizon = (int) (height * 0.6);
    double t = (at.toEpochMilli() % (periodSeconds * 1000L)) / 1000.0;
    boolean ballVisible = t < visibleSeconds;
    int r = Math.max(4, height / 8);
    int bx = (int) (-r + (width + 2.0 * r) * t / visibleSeconds);
    int by = horizon - r;
    for (int j = 0; j < outH; j++) {
      double top = j * sy;
      double cy = top + sy / 2;
      double skyShare = clamp((horizon - top) / sy);
      int row =
          skyShare >= 1
              ? sky(cy, height)
              : skyShare <= 0 ? FLOOR : mix(sky((top + horizon) / 2, height), FLOOR, skyShare);
      boolean ballRow = ballVisible && Math.abs(cy - by) < r + sy;
      int base = j * outW;
      for (int i = 0; i < outW; i++) {
        int c = row;
        if (ballRow) {
          double dx = (i + 0.5) * sx - bx;
          double dy = cy - by;
          if (Math.abs(dx) < r + sx) {
            double cover = clamp((r - Math.sqrt(dx * dx + dy * dy)) / Math.max(sx, sy) + 0.5);
            c = cover <= 0 ? row : mix(BALL, row, cover);
          }
        }
        px[base + i] = c;
      }
    }
  }

  /** The sky's gradient at {@code y}: light towards the horizon at 60 % of the height. */
  private static int sky(double y, int height) {
    return mix(SKY_HORIZON, SKY_TOP, clamp(y / (height * 0.6)));
  }

  /** {@code share} of {@code a} and the rest of {@code b}, channel by channel. */
  private static int mix(int a, int b, double share) {
    int out = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      double v = ((a >> shift) & 0xff) * share + ((b >> shift) & 0xff) * (1 - share);
      out |= ((int) Math.round(v)) << shift;
    }
    return out;
  }

  private static double clamp(double v) {
    return v < 0 ? 0 : v > 1 ? 1 : v;
  }

  /** JPEG-encodes {@code img} at {@code quality} 1..100. */
  public static byte[] jpeg(BufferedImage img, int quality) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality / 100f);
      writer.write(null, new IIOImage(img, null, null), p);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
