package io.outpost.agent.camera;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
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
 * something to find and something to ignore. Frames are drawn with Java2D and JPEG-encoded with the
 * JDK's ImageIO, nothing else.
 */
public final class SimulatedCamera implements FrameSource {
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

  /** The scene at {@code at}. */
  public BufferedImage frame(Instant at, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setPaint(
          new GradientPaint(
              0, 0, new Color(120, 170, 220), 0, height * 0.6f, new Color(210, 225, 240)));
      g.fillRect(0, 0, width, (int) (height * 0.6));
      g.setColor(new Color(90, 110, 80));
      g.fillRect(0, (int) (height * 0.6), width, height);
      double t = (at.toEpochMilli() % (periodSeconds * 1000L)) / 1000.0;
      if (t < visibleSeconds) {
        int r = Math.max(4, height / 8);
        int x = (int) (-r + (width + 2.0 * r) * t / visibleSeconds);
        int y = (int) (height * 0.6) - r;
        g.setColor(new Color(200, 40, 40));
        g.fillOval(x - r, y - r, 2 * r, 2 * r);
      }
      // No text: fonts need fontconfig, which a headless device JRE may not have.
    } finally {
      g.dispose();
    }
    return img;
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
