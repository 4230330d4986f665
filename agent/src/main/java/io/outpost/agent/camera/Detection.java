package io.outpost.agent.camera;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One object the AI camera (IMX500) reported: what, how sure, and where in the frame (pixels of the
 * output image, top-left origin).
 *
 * @param category the network's class index, or -1 when the source does not give it (UDP)
 */
public record Detection(
    String label, int category, double confidence, int x, int y, int width, int height) {

  /** The {@code camera.detection} event body. */
  public Map<String, Object> toEvent(String camera) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", "camera.detection");
    e.put("camera", camera);
    e.put("label", label);
    if (category >= 0) {
      e.put("category", category);
    }
    e.put("confidence", Math.round(confidence * 1000) / 1000.0);
    e.put("box", List.of(x, y, width, height));
    return e;
  }
}
