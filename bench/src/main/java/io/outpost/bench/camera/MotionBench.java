package io.outpost.bench.camera;

import io.outpost.agent.camera.MotionDetector;
import io.outpost.agent.camera.SimulatedCamera;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import javax.imageio.ImageIO;

/**
 * CPU cost of motion detection per frame: JPEG decode (what a camera tool hands over) plus the
 * detector's downscale and comparison, at several capture sizes. Prints ms of CPU per frame and the
 * frame rate one core could sustain; docs/camera.md scales it to a Pi 4.
 *
 * <p>Usage: {@code MotionBench [FRAMES]} (default 300 per size after 100 warm-up frames).
 */
public final class MotionBench {
  private MotionBench() {}

  public static void main(String[] args) throws Exception {
    int frames = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    SimulatedCamera scene = new SimulatedCamera(Clock.systemUTC(), 30, 10);
    int[][] sizes = {{160, 120}, {320, 240}, {640, 480}, {1280, 720}};
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    System.out.println(
        "size       decode+detect ms/frame   detect-only ms/frame   frames/s on one core");
    for (int[] s : sizes) {
      byte[][] jpegs = new byte[20][];
      Instant t0 = Instant.parse("2026-12-01T12:00:00Z");
      for (int i = 0; i < jpegs.length; i++) {
        jpegs[i] = SimulatedCamera.jpeg(scene.frame(t0.plusMillis(i * 500L), s[0], s[1]), 70);
      }
      MotionDetector d = new MotionDetector(25, 0.01, 0);
      for (int i = 0; i < 100; i++) {
        d.offer(ImageIO.read(new ByteArrayInputStream(jpegs[i % jpegs.length])), i);
      }
      long cpu0 = bean.getCurrentThreadCpuTime();
      for (int i = 0; i < frames; i++) {
        d.offer(ImageIO.read(new ByteArrayInputStream(jpegs[i % jpegs.length])), i);
      }
      double full = (bean.getCurrentThreadCpuTime() - cpu0) / 1e6 / frames;
      BufferedImage[] decoded = new BufferedImage[jpegs.length];
      for (int i = 0; i < jpegs.length; i++) {
        decoded[i] = ImageIO.read(new ByteArrayInputStream(jpegs[i]));
      }
      long cpu1 = bean.getCurrentThreadCpuTime();
      for (int i = 0; i < frames; i++) {
        d.offer(decoded[i % decoded.length], i);
      }
      double detect = (bean.getCurrentThreadCpuTime() - cpu1) / 1e6 / frames;
      System.out.printf("%4dx%-5d %12.2f %22.2f %22.0f%n", s[0], s[1], full, detect, 1000 / full);
    }
  }
}
