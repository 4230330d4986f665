package io.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentPluginContextTest {

  @Test
  void aPluginReadingDeviceEventsGetsTheMessagesOfAReplayEnvelopeOneByOne() {
    List<AgentPluginContext.Subscription> subs = AgentPluginContext.newSubscriptionList();
    List<Object> got = new ArrayList<>();
    subs.add(
        new AgentPluginContext.Subscription(
            AgentPluginContext.glob("devices/*/events"), (ch, data) -> got.add(data)));

    AgentPluginContext.deliver(
        subs,
        "devices/pi-2/events",
        JsonParser.parseString(
            "{\"type\": \"replay\", \"device\": \"pi-2\", \"stream\": \"s\", \"messages\": ["
                + "{\"type\": \"telemetry\", \"seq\": 4}, {\"type\": \"status\", \"seq\": 5}]}"));
    AgentPluginContext.deliver(
        subs,
        "devices/pi-2/events",
        JsonParser.parseString("{\"type\": \"telemetry\", \"seq\": 6}"));

    assertThat(got)
        .extracting(d -> (Object) ((Map<?, ?>) d).get("type"))
        .containsExactly("telemetry", "status", "telemetry");
  }
}
