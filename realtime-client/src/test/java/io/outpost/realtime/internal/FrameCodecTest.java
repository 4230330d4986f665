package io.outpost.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonNull;
import com.google.gson.JsonParser;
import io.outpost.realtime.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  @Test
  void parsesWelcomeWithAndWithoutExpiry() {
    ServerFrame frame =
        FrameCodec.parse(
            "{\"type\":\"welcome\",\"peerId\":\"alice\",\"expiresAt\":1715539200,"
                + "\"serverTime\":1715535600,\"maxMessageSize\":65536,\"metadata\":{\"iceServers\":[]}}");
    assertThat(frame)
        .isInstanceOfSatisfying(
            ServerFrame.Welcome.class,
            w -> {
              assertThat(w.peerId()).isEqualTo("alice");
              assertThat(w.expiresAt()).isEqualTo(1715539200d);
              assertThat(w.maxMessageSize()).isEqualTo(65536);
              assertThat(w.metadata().has("iceServers")).isTrue();
            });
    ServerFrame pk =
        FrameCodec.parse(
            "{\"type\":\"welcome\",\"peerId\":\"u1\",\"expiresAt\":null,"
                + "\"serverTime\":1,\"maxMessageSize\":1024}");
    assertThat(pk)
        .isInstanceOfSatisfying(ServerFrame.Welcome.class, w -> assertThat(w.expiresAt()).isNull());
  }

  @Test
  void rejectsWelcomeWithoutRequiredFields() {
    assertThat(FrameCodec.parse("{\"type\":\"welcome\",\"peerId\":\"a\",\"serverTime\":1}"))
        .isEqualTo(new ServerFrame.Malformed("welcome.maxMessageSize missing"));
    assertThat(
            FrameCodec.parse(
                "{\"type\":\"welcome\",\"expiresAt\":\"soon\",\"peerId\":\"a\",\"serverTime\":1,\"maxMessageSize\":5}"))
        .isEqualTo(new ServerFrame.Malformed("welcome.expiresAt must be number or null"));
  }

  @Test
  void parsesAckErrorMessageDirectPresence() {
    assertThat(FrameCodec.parse("{\"type\":\"ack\",\"requestId\":\"r1\"}"))
        .isEqualTo(new ServerFrame.Ack("r1"));
    assertThat(
            FrameCodec.parse(
                "{\"type\":\"error\",\"code\":\"peer_not_found\",\"requestId\":\"r2\",\"message\":\"gone\"}"))
        .isEqualTo(new ServerFrame.Error("peer_not_found", "r2", "gone"));
    assertThat(FrameCodec.parse("{\"type\":\"error\",\"code\":\"over_message_quota\"}"))
        .isEqualTo(new ServerFrame.Error("over_message_quota", null, ""));
    assertThat(
            FrameCodec.parse(
                "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"bob\",\"data\":null}"))
        .isInstanceOfSatisfying(
            ServerFrame.Message.class,
            m -> {
              assertThat(m.data().isJsonNull()).isTrue();
              assertThat(m.fromMetadata()).isNull();
            });
    assertThat(
            FrameCodec.parse(
                "{\"type\":\"direct\",\"from\":\"bob\",\"fromMetadata\":{\"name\":\"Bob\"},\"data\":[1]}"))
        .isInstanceOfSatisfying(
            ServerFrame.Direct.class,
            d -> assertThat(d.fromMetadata().get("name").getAsString()).isEqualTo("Bob"));
    assertThat(
            FrameCodec.parse(
                "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[{\"peerId\":\"x\",\"metadata\":{\"name\":\"X\"}}],\"left\":[{\"peerId\":\"y\"}]}"))
        .isInstanceOfSatisfying(
            ServerFrame.Presence.class,
            p -> {
              assertThat(p.joined()).hasSize(1);
              assertThat(p.joined().get(0).metadataString("name")).contains("X");
              assertThat(p.left().get(0).peerId()).isEqualTo("y");
            });
  }

  @Test
  void compactAcksTakeTheFastPathAndOthersTheParser() {
    assertThat(FrameCodec.parse("{\"type\":\"ack\",\"requestId\":\"abc-1\"}"))
        .isEqualTo(new ServerFrame.Ack("abc-1"));
    assertThat(FrameCodec.parse("{\"type\":\"ack\",\"requestId\":\"a\\\"b\"}"))
        .isEqualTo(new ServerFrame.Ack("a\"b"));
    assertThat(FrameCodec.parse("{ \"requestId\": \"x\", \"type\": \"ack\" }"))
        .isEqualTo(new ServerFrame.Ack("x"));
    assertThat(FrameCodec.parse("{\"type\":\"ack\",\"requestId\":\"x\"} junk\"}"))
        .isInstanceOf(ServerFrame.Malformed.class);
  }

  @Test
  void goingAwayDefaultsRetryToOneSecond() {
    assertThat(FrameCodec.parse("{\"type\":\"going_away\",\"retryAfterMs\":2500}"))
        .isEqualTo(new ServerFrame.GoingAway(2500));
    assertThat(FrameCodec.parse("{\"type\":\"going_away\"}"))
        .isEqualTo(new ServerFrame.GoingAway(1000));
    assertThat(FrameCodec.parse("{\"type\":\"going_away\",\"retryAfterMs\":-5}"))
        .isEqualTo(new ServerFrame.GoingAway(1000));
  }

  @Test
  void garbageNeverThrows() {
    for (String garbage :
        new String[] {
          "garbage",
          "not json{",
          "[]",
          "42",
          "{}",
          "{\"type\":7}",
          "{\"type\":\"unknown\"}",
          "{\"type\":\"message\",\"channel\":\"c\",\"from\":\"b\"}",
          "{\"type\":\"presence\",\"channel\":\"c\",\"joined\":[1],\"left\":[]}",
          "[".repeat(100_000),
          ""
        }) {
      assertThat(FrameCodec.parse(garbage))
          .as(garbage.length() > 20 ? "deep nesting" : garbage)
          .isInstanceOf(ServerFrame.Malformed.class);
    }
  }

  @Test
  void nonJsonIsReportedAsInvalidJson() {
    assertThat(FrameCodec.parse("garbage")).isEqualTo(new ServerFrame.Malformed("invalid JSON"));
    assertThat(FrameCodec.parse("{\"type\":\"pong\"} trailing"))
        .isEqualTo(new ServerFrame.Malformed("invalid JSON"));
    assertThat(FrameCodec.parse("[1]"))
        .isEqualTo(new ServerFrame.Malformed("envelope must be an object"));
    assertThat(FrameCodec.parse("{\"type\":\"pong\"}")).isEqualTo(new ServerFrame.Pong());
    // Empty text is not JSON null (JsonParser alone would read it so).
    assertThat(FrameCodec.parse("")).isEqualTo(new ServerFrame.Malformed("invalid JSON"));
    assertThat(FrameCodec.parse("  ")).isEqualTo(new ServerFrame.Malformed("invalid JSON"));
    assertThatThrownBy(() -> FrameCodec.parseValue(""))
        .isInstanceOf(InvalidArgumentException.class);
    assertThat(FrameCodec.parseValue(" null ")).isEqualTo(JsonNull.INSTANCE);
  }

  @Test
  void buildsTheSdkFrameShapes() {
    assertThat(FrameCodec.subscribe("room-1", false, "r1"))
        .isEqualTo("{\"type\":\"subscribe\",\"channel\":\"room-1\",\"requestId\":\"r1\"}");
    assertThat(FrameCodec.subscribe("room-1", true, "r1"))
        .isEqualTo(
            "{\"type\":\"subscribe\",\"channel\":\"room-1\",\"requestId\":\"r1\",\"includeSenderMetadata\":true}");
    assertThat(FrameCodec.unsubscribe("room-1", "r2"))
        .isEqualTo("{\"type\":\"unsubscribe\",\"channel\":\"room-1\",\"requestId\":\"r2\"}");
    assertThat(FrameCodec.publish("c", JsonParser.parseString("{\"a\":1}"), "r3"))
        .isEqualTo(
            "{\"type\":\"publish\",\"channel\":\"c\",\"data\":{\"a\":1},\"requestId\":\"r3\"}");
    assertThat(FrameCodec.send("bob", JsonParser.parseString("\"hi\""), "r4"))
        .isEqualTo("{\"type\":\"send\",\"to\":\"bob\",\"data\":\"hi\",\"requestId\":\"r4\"}");
    assertThat(FrameCodec.ping()).isEqualTo("{\"type\":\"ping\"}");
  }

  @Test
  void measuresUtf8Bytes() {
    assertThat(FrameCodec.utf8Length("abc")).isEqualTo(3);
    assertThat(FrameCodec.utf8Length("é")).isEqualTo(2);
    assertThat(FrameCodec.utf8Length("€")).isEqualTo(3);
    assertThat(FrameCodec.utf8Length("😀")).isEqualTo(4);
    String mixed = "a€😀é";
    assertThat(FrameCodec.utf8Length(mixed)).isEqualTo(FrameCodec.bytes(mixed).length);
  }
}
