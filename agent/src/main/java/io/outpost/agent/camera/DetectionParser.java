package io.outpost.agent.camera;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads IMX500 detections in the two forms rpicam-apps emits them. The AI camera does not put them
 * in {@code --metadata}: they come from the {@code object_detect} post-processing stage, either as
 * stderr log lines at {@code -v 2}, {@code [0] : person[0] (0.87) @ 120,64 200x310}, or from the
 * {@code object_detect_udp} stage as one 280-byte little-endian datagram per detection: magic
 * {@code 0xDDCCBBAA}, i32 x, y, width, height, a NUL-padded 255-byte name, one byte of padding, f32
 * confidence (bytes after the name's first NUL are garbage).
 *
 * <p>Input is untrusted (another process, a UDP port): anything that does not match is ignored,
 * never thrown.
 */
public final class DetectionParser {
  /** Size of one {@code object_detect_udp} datagram. */
  public static final int DATAGRAM_BYTES = 280;

  static final int MAGIC = 0xDDCCBBAA;
  private static final int NAME_OFFSET = 20;
  private static final int NAME_BYTES = 255;
  private static final int CONFIDENCE_OFFSET = 276;
  private static final int MAX_DIMENSION = 1 << 16;

  private static final Pattern LINE =
      Pattern.compile(
          "\\[(\\d+)\\]\\s*:\\s*(.{1,64}?)\\[(\\d+)\\]\\s*\\(([0-9]*\\.?[0-9]+)\\)\\s*@\\s*"
              + "(-?\\d+)\\s*,\\s*(-?\\d+)\\s+(\\d+)\\s*x\\s*(\\d+)\\s*$");

  private DetectionParser() {}

  /** A detection from one stderr line of {@code rpicam-* -v 2}; empty for any other line. */
  public static Optional<Detection> parseLine(String line) {
    if (line == null || line.length() > 512) {
      return Optional.empty();
    }
    Matcher m = LINE.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return valid(
          new Detection(
              m.group(2).trim(),
              Integer.parseInt(m.group(3)),
              Double.parseDouble(m.group(4)),
              Integer.parseInt(m.group(5)),
              Integer.parseInt(m.group(6)),
              Integer.parseInt(m.group(7)),
              Integer.parseInt(m.group(8))));
    } catch (NumberFormatException e) {
      return Optional.empty(); // digits too long for an int
    }
  }

  /**
   * A detection from one {@code object_detect_udp} datagram; empty when it is short, long, has the
   * wrong magic or holds values no camera produces.
   */
  public static Optional<Detection> parseDatagram(byte[] data, int length) {
    if (length != DATAGRAM_BYTES || data.length < length) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != MAGIC) {
      return Optional.empty();
    }
    int nameLength = 0;
    while (nameLength < NAME_BYTES && data[NAME_OFFSET + nameLength] != 0) {
      nameLength++;
    }
    String name = new String(data, NAME_OFFSET, nameLength, StandardCharsets.UTF_8).trim();
    if (name.isEmpty()) {
      return Optional.empty();
    }
    return valid(
        new Detection(
            name,
            -1,
            b.getFloat(CONFIDENCE_OFFSET),
            b.getInt(4),
            b.getInt(8),
            b.getInt(12),
            b.getInt(16)));
  }

  private static Optional<Detection> valid(Detection d) {
    boolean ok =
        !d.label().isEmpty()
            && d.confidence() >= 0
            && d.confidence() <= 1
            && Math.abs(d.x()) < MAX_DIMENSION
            && Math.abs(d.y()) < MAX_DIMENSION
            && d.width() > 0
            && d.width() < MAX_DIMENSION
            && d.height() > 0
            && d.height() < MAX_DIMENSION
            && d.label().chars().noneMatch(Character::isISOControl);
    return ok ? Optional.of(d) : Optional.empty();
  }
}
