package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DetectionParserTest {
  /** stderr of {@code rpicam-hello -v 2 --post-process-file imx500_mobilenet_ssd.json}, trimmed. */
  private static final List<String> RECORDED =
      List.of(
          "[0:12:33.214470512] [2143]  INFO Camera camera.cpp:1197 configuring streams: (0) 640x480-XBGR8888",
          "Viewfinder frame 42",
          "Number of objects detected: 2",
          "[0] : person[0] (0.87) @ 120,64 200x310",
          "[1] : cup[46] (0.55) @ 400,300 40x52",
          "Network Firmware Upload: 100%",
          "[2] : dining table[66] (0.41) @ 0,250 640x230");

  @Test
  void readsTheObjectDetectLinesAndIgnoresTheRest() {
    List<Detection> found =
        RECORDED.stream().map(DetectionParser::parseLine).flatMap(Optional::stream).toList();
    assertThat(found)
        .containsExactly(
            new Detection("person", 0, 0.87, 120, 64, 200, 310),
            new Detection("cup", 46, 0.55, 400, 300, 40, 52),
            new Detection("dining table", 66, 0.41, 0, 250, 640, 230));
    assertThat(found.get(0).toEvent("front").toString())
        .isEqualTo(
            "{type=camera.detection, camera=front, label=person, category=0, confidence=0.87,"
                + " box=[120, 64, 200, 310]}");
  }

  @Test
  void rejectsLinesThatOnlyLookAlike() {
    assertThat(DetectionParser.parseLine("[0] : person[0] (1.7) @ 1,2 3x4")).isEmpty();
    assertThat(DetectionParser.parseLine("[0] : person[0] (0.5) @ 1,2 0x4")).isEmpty();
    assertThat(DetectionParser.parseLine("[0] : per\u001b[31mson[0] (0.5) @ 1,2 3x4")).isEmpty();
    assertThat(DetectionParser.parseLine("[0] : person[0] (0.5) @ 1,2 99999999999x4")).isEmpty();
    assertThat(DetectionParser.parseLine("x".repeat(10_000))).isEmpty();
    assertThat(DetectionParser.parseLine(null)).isEmpty();
  }

  @Test
  void readsADatagramWithGarbageAfterTheName() {
    byte[] d = datagram(DetectionParser.MAGIC, "person", 0.912f);
    d[20 + 7] = 'Z'; // after the NUL: garbage the stage leaves in its buffer
    assertThat(DetectionParser.parseDatagram(d, d.length))
        .contains(new Detection("person", -1, 0.912f, 10, 20, 30, 40));
  }

  @Test
  void ignoresShortLongAndForeignDatagrams() {
    byte[] good = datagram(DetectionParser.MAGIC, "cat", 0.5f);
    assertThat(DetectionParser.parseDatagram(good, 279)).isEmpty();
    byte[] longer = new byte[300];
    System.arraycopy(good, 0, longer, 0, good.length);
    assertThat(DetectionParser.parseDatagram(longer, 300)).isEmpty();
    assertThat(DetectionParser.parseDatagram(datagram(0xAABBCCDD, "cat", 0.5f), 280)).isEmpty();
    assertThat(DetectionParser.parseDatagram(datagram(DetectionParser.MAGIC, "", 0.5f), 280))
        .isEmpty();
    assertThat(
            DetectionParser.parseDatagram(datagram(DetectionParser.MAGIC, "cat", Float.NaN), 280))
        .isEmpty();
  }

  static byte[] datagram(int magic, String name, float confidence) {
    ByteBuffer b =
        ByteBuffer.allocate(DetectionParser.DATAGRAM_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(magic).putInt(10).putInt(20).putInt(30).putInt(40);
    b.put(name.getBytes(StandardCharsets.UTF_8));
    b.putFloat(276, confidence);
    return b.array();
  }
}
