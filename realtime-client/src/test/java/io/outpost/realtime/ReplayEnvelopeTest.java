package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayEnvelopeTest {

  @Test
  void anEnvelopeGivesItsMessagesInOrderUnchanged() {
    JsonElement envelope =
        JsonParser.parseString(
            "{\"type\":\"replay\",\"device\":\"pi-1\",\"stream\":\"s1\",\"messages\":["
                + "{\"type\":\"telemetry\",\"seq\":7,\"id\":\"pi-1:s1:7\",\"records\":[]},"
                + "{\"type\":\"command.result\",\"seq\":8,\"id\":\"pi-1:s1:8\"}]}");

    List<JsonElement> messages = ReplayEnvelope.unpack(envelope);

    assertThat(ReplayEnvelope.is(envelope)).isTrue();
    assertThat(messages)
        .extracting(m -> m.getAsJsonObject().get("seq").getAsLong())
        .containsExactly(7L, 8L);
    assertThat(messages.get(0).toString())
        .isEqualTo("{\"type\":\"telemetry\",\"seq\":7,\"id\":\"pi-1:s1:7\",\"records\":[]}");
  }

  @Test
  void anythingElseIsItselfSoNothingIsHidden() {
    for (String text :
        new String[] {
          "{\"type\":\"telemetry\",\"seq\":1}",
          "{\"type\":\"replay\"}",
          "{\"type\":\"replay\",\"messages\":{}}",
          "{\"type\":[1],\"messages\":[]}",
          "[1,2]",
          "\"replay\"",
          "null"
        }) {
      JsonElement data = JsonParser.parseString(text);
      assertThat(ReplayEnvelope.is(data)).as(text).isFalse();
      assertThat(ReplayEnvelope.unpack(data)).as(text).containsExactly(data);
    }
    assertThat(ReplayEnvelope.unpack(null)).isEmpty();
  }
}
