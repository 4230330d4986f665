package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.outpost.realtime.internal.FrameCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayEnvelopeBuilderTest {
  private static final String CHANNEL = "devices/pi-1/events";

  private static String message(long seq, String pad) {
    return "{\"type\":\"telemetry\",\"seq\":"
        + seq
        + ",\"id\":\"pi-1:s1:"
        + seq
        + "\",\"p\":\""
        + pad
        + "\"}";
  }

  /** The publish frame carrying {@code data}, with the longest request id allowed. */
  private static int frameBytes(String data) {
    return FrameCodec.utf8Length(FrameCodec.publish(CHANNEL, data, "r".repeat(128)));
  }

  @Test
  void storedMessagesGoInUnchangedAndUnpackInOrder() {
    ReplayEnvelopeBuilder b = new ReplayEnvelopeBuilder("pi-1", "s1", CHANNEL, 64 * 1024);
    for (long seq = 1; seq <= 3; seq++) {
      assertThat(b.add(message(seq, "x"))).isEqualTo(ReplayEnvelopeBuilder.Added.YES);
    }
    JsonElement envelope = FrameCodec.parseValue(b.build());

    assertThat(b.count()).isEqualTo(3);
    assertThat(envelope.getAsJsonObject().get("device").getAsString()).isEqualTo("pi-1");
    assertThat(envelope.getAsJsonObject().get("stream").getAsString()).isEqualTo("s1");
    List<JsonElement> messages = ReplayEnvelope.unpack(envelope);
    assertThat(messages)
        .extracting(JsonElement::toString)
        .containsExactly(message(1, "x"), message(2, "x"), message(3, "x"));
  }

  @Test
  void theFrameStaysWithinTheServersLimitInUtf8Bytes() {
    int max = 4096;
    ReplayEnvelopeBuilder b = new ReplayEnvelopeBuilder("pi-1", "s1", CHANNEL, max);
    String pad = "é".repeat(100); // two bytes each: characters would undercount
    int added = 0;
    while (b.add(message(added + 1, pad)) == ReplayEnvelopeBuilder.Added.YES) {
      added++;
    }
    assertThat(added).isGreaterThan(1);
    assertThat(frameBytes(b.build())).isLessThanOrEqualTo(max);
    // One more would not have fitted.
    String more = b.build().replace("]}", "," + message(added + 1, pad) + "]}");
    assertThat(frameBytes(more)).isGreaterThan(max - ReplayEnvelopeBuilder.FRAME_MARGIN);
  }

  @Test
  void aMessageThatIsNotExactlyOneObjectNeverGoesIn() {
    ReplayEnvelopeBuilder b = new ReplayEnvelopeBuilder("pi-1", "s1", CHANNEL, 64 * 1024);
    for (String bad :
        new String[] {
          "{\"a\":1}],\"evil\":[{\"b\":2}", // would end the array early
          "{\"a\":1},{\"b\":2}", // two messages for one seq
          "{a:1}", // lenient only
          "{\"a\":1",
          "[1]",
          "\"text\"",
          "",
          null
        }) {
      assertThat(b.add(bad))
          .as(String.valueOf(bad))
          .isEqualTo(ReplayEnvelopeBuilder.Added.NOT_AN_OBJECT);
    }
    assertThat(b.count()).isZero();
    assertThat(ReplayEnvelope.unpack(JsonParser.parseString(b.build()))).isEmpty();
  }

  @Test
  void aMessageTooLargeForAnyEnvelopeIsFull() {
    ReplayEnvelopeBuilder b = new ReplayEnvelopeBuilder("pi-1", "s1", CHANNEL, 1024);
    assertThat(b.add(message(1, "x".repeat(2000)))).isEqualTo(ReplayEnvelopeBuilder.Added.FULL);
    assertThat(b.count()).isZero();
  }
}
