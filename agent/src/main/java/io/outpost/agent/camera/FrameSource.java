package io.outpost.agent.camera;

import java.io.IOException;

/** Something that takes one JPEG picture on request: the real camera or the simulated one. */
public interface FrameSource {
  /**
   * Takes a picture.
   *
   * @return the JPEG bytes
   * @throws IOException naming the camera and the cause (tool missing, no camera, timeout, garbage)
   */
  byte[] capture(int width, int height, int quality) throws IOException;

  /** {@code ok}, or what went wrong with the last capture, for status. */
  String state();
}
