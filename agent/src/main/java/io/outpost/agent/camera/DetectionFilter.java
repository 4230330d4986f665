package io.outpost.agent.camera;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Keeps an AI camera's detections from flooding the uplink: the camera reports every object in
 * every frame (30 a second), while a consumer wants to hear once that a person is at the door. A
 * detection passes when it is confident enough, when no detection of the same label with an
 * overlapping box (IoU ≥ 0.5) passed within {@code window}, and when fewer than {@code
 * maxPerMinute} passed in the last minute. Not thread-safe.
 */
public final class DetectionFilter {
  private record Passed(long atMillis, Detection detection) {}

  private final double minConfidence;
  private final long windowMillis;
  private final int maxPerMinute;
  private final Deque<Passed> recent = new ArrayDeque<>();
  private long suppressed;

  public DetectionFilter(double minConfidence, long windowMillis, int maxPerMinute) {
    this.minConfidence = minConfidence;
    this.windowMillis = windowMillis;
    this.maxPerMinute = maxPerMinute;
  }

  /** Whether {@code d}, seen at {@code nowMillis}, is news. */
  public boolean accept(Detection d, long nowMillis) {
    long horizon = Math.max(windowMillis, 60_000);
    for (Iterator<Passed> it = recent.iterator(); it.hasNext(); ) {
      if (nowMillis - it.next().atMillis() > horizon) {
        it.remove();
      }
    }
    if (d.confidence() < minConfidence) {
      suppressed++;
      return false;
    }
    int lastMinute = 0;
    for (Passed p : recent) {
      if (nowMillis - p.atMillis() <= 60_000) {
        lastMinute++;
      }
      if (nowMillis - p.atMillis() <= windowMillis
          && p.detection().label().equals(d.label())
          && iou(p.detection(), d) >= 0.5) {
        suppressed++;
        return false;
      }
    }
    if (lastMinute >= maxPerMinute) {
      suppressed++;
      return false;
    }
    recent.addLast(new Passed(nowMillis, d));
    return true;
  }

  /** Detections held back so far (for status). */
  public long suppressed() {
    return suppressed;
  }

  static double iou(Detection a, Detection b) {
    long ix = Math.max(0, Math.min(a.x() + a.width(), b.x() + b.width()) - Math.max(a.x(), b.x()));
    long iy =
        Math.max(0, Math.min(a.y() + a.height(), b.y() + b.height()) - Math.max(a.y(), b.y()));
    long inter = ix * iy;
    long union = (long) a.width() * a.height() + (long) b.width() * b.height() - inter;
    return union <= 0 ? 0 : (double) inter / union;
  }
}
