package io.outpost.bridge.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code outpost check} says about a {@code bridge} section. */
class BridgeConfigTest {

  static List<String> problems(String json) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Payloads.toJava(JsonParser.parseString(json));
    return new BridgeServiceFactory()
        .validate(new Options("/etc/outpost/agent.json: bridge", m)).stream()
            .map(ConfigException::getMessage)
            .toList();
  }

  @Test
  void aValidSectionHasNoProblemsAndDefaultsToMqtt5WithAPersistentSession() {
    assertThat(
            problems(
                """
                {"broker": "ssl://broker.local:8883", "username": "outpost", "passwordFile": "/etc/outpost/mqtt.pass",
                 "tls": {"caFile": "/etc/outpost/ca.pem"},
                 "out": [{"filter": "zigbee2mqtt/+", "channel": "sites/{fleetId}/{2}"},
                         {"filter": "sensors/#", "as": "senml", "name": "{topic}", "unit": "Cel"}],
                 "in": [{"command": "mqtt.", "topic": "cmnd/{name}"},
                        {"channel": "fleets/{fleetId}/lights", "topic": "lights/set", "payload": "value", "retain": true}]}"""))
        .isEmpty();
  }

  @Test
  void everyProblemNamesTheRuleIndexTheFieldAndWhatWasExpected() {
    assertThat(
            problems(
                """
                {"broker": "http://x", "protocol": "4",
                 "out": [{"filter": "a/#/b"}, {"filter": "ok/+", "channel": "x/{3}"}, {"filter": "t", "qos": 2},
                         {"filter": "t", "channel": "c/{nope}"}],
                 "in": [{"topic": "x"}, {"channel": "c", "topic": "a/+/b"}, {"channel": "c", "direct": "t", "topic": "x"}]}"""))
        .containsExactly(
            "/etc/outpost/agent.json: bridge: broker: \"http://x\" must be tcp://HOST:PORT or ssl://HOST:PORT",
            "/etc/outpost/agent.json: bridge: protocol: \"4\" is not one of [5, 3.1.1]",
            "/etc/outpost/agent.json: bridge: out[0]: filter: \"a/#/b\" is '#' must be a whole level and the last one (e.g. \"sensors/#\")",
            "/etc/outpost/agent.json: bridge: out[1]: channel: uses {3} but filter \"ok/+\" has only 2 levels",
            "/etc/outpost/agent.json: bridge: out[2]: qos: 2 out of range, expected 0..1",
            "/etc/outpost/agent.json: bridge: out[3]: channel: \"c/{nope}\": unknown placeholder {nope} (expected one of [{deviceId}, {fleetId}, {topic}] or a level {1}, {2}…)",
            "/etc/outpost/agent.json: bridge: in[0]: channel: give exactly one source: \"channel\" (a channel or glob), \"command\" (a command name prefix) or \"direct\" (a message type)",
            "/etc/outpost/agent.json: bridge: in[1]: topic: \"a/+/b\" gives a topic to publish to may not contain '+' or '#'",
            "/etc/outpost/agent.json: bridge: in[2]: direct: give exactly one source: \"channel\" (a channel or glob), \"command\" (a command name prefix) or \"direct\" (a message type)");
  }

  @Test
  void aRuleSetThatWouldEchoForeverOnMqtt311IsRejectedNamingBothRules() {
    assertThat(
            problems(
                """
                {"protocol": "3.1.1",
                 "out": [{"filter": "home/#"}],
                 "in": [{"channel": "devices/{deviceId}/events", "topic": "home/{deviceId}/notes"}]}"""))
        .containsExactly(
            "/etc/outpost/agent.json: bridge: in[0].topic: \"home/{deviceId}/notes\" is matched by out[0].filter \"home/#\": with protocol 3.1.1 (no noLocal) what in[0] publishes would come back through out[0] forever; use protocol \"5\" or topics that do not overlap");
    // MQTT 5's noLocal breaks the loop; topics that cannot overlap are fine on 3.1.1 too.
    assertThat(
            problems(
                """
                {"out": [{"filter": "home/#"}], "in": [{"channel": "c", "topic": "home/x"}]}"""))
        .isEmpty();
    assertThat(
            problems(
                """
                {"protocol": "3.1.1", "out": [{"filter": "home/+/state"}], "in": [{"channel": "c", "topic": "home/{1}/set"}]}"""))
        .isEmpty();
  }

  @Test
  void unknownKeysAndPasswordsWithoutAUsernameAreErrors() {
    assertThat(
            problems(
                """
                {"password": "x", "out": [{"filter": "a", "chanel": "b"}]}"""))
        .containsExactly(
            "/etc/outpost/agent.json: bridge: username: missing, a password needs a username",
            "/etc/outpost/agent.json: bridge: out[0]: chanel: unknown key (expected one of [as, batch, channel, filter, name, qos, unit])");
  }

  @Test
  void theQueueTowardTheBrokerIsBoundedByBytes() {
    String rules = ", \"in\": [{\"channel\": \"c\", \"topic\": \"t\"}]}";
    assertThat(problems("{\"queue\": {\"maxBytes\": \"16MB\"}" + rules)).isEmpty();
    assertThat(problems("{\"queue\": 10000" + rules))
        .containsExactly(
            "/etc/outpost/agent.json: bridge: queue: expected an object such as {\"maxBytes\": \"4MB\"}");
    assertThat(problems("{\"queue\": {\"max\": 1}" + rules))
        .containsExactly(
            "/etc/outpost/agent.json: bridge: queue: max: unknown key (expected one of [maxBytes])");
    assertThat(problems("{\"queue\": {\"maxBytes\": 10}" + rules))
        .containsExactly("/etc/outpost/agent.json: bridge: queue: maxBytes: expected 1KB to 1GB");
  }
}
