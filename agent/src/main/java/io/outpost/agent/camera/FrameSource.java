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

  /**
   * Takes a frame for motion detection: by default a capture at quality 70, decoded. A source that
   * draws its frames answers without encoding and decoding a JPEG every tick.
   *
   * @throws IOException as {@link #capture}, or when the picture is not a decodable JPEG
   */
  default MotionFrame motionFrame(int width, int height) throws IOException {
    return MotionFrame.decode(capture(width, height, 70));
  }

  /** {@code ok}, or what went wrong with the last capture, for status. */
  String state();
}
