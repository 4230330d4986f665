package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Wildcard subscriptions (protocol.md section 8 and R). */
@Timeout(30)
class RoutingTest extends RelayTestSupport {
  WsClient device;

  @BeforeEach
  void start() throws Exception {
    startRelay();
    device = connect("device");
  }

  private void publish(String channel, Object data) {
    device.send(
        frame("publish", "channel", channel, "data", String.valueOf(data), "requestId", "p"));
    device.next("ack");
  }

  @Test
  void aSingleStarSubscriptionReceivesMatchingChannelsWithTheConcreteChannelName() {
    WsClient backend = connect("backend");
    subscribe(backend, "devices/*/events");

    publish("devices/d1/events", 1);
    publish("devices/d1/x/events", 2);
    publish("devices/d2/events", 3);

    JsonObject first = backend.next("message");
    assertThat(first.get("channel").getAsString()).isEqualTo("devices/d1/events");
    assertThat(first.get("data").getAsString()).isEqualTo("1");
    assertThat(backend.next("message").get("channel").getAsString()).isEqualTo("devices/d2/events");
    backend.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void aDoubleStarSubscriptionCrossesSlashes() {
    WsClient backend = connect("backend");
    subscribe(backend, "fleet/**");

    publish("fleet/a/b/c", 1);
    publish("other/a", 2);

    assertThat(backend.next("message").get("channel").getAsString()).isEqualTo("fleet/a/b/c");
    backend.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void overlappingSubscriptionsDeliverEachMessageOnce() {
    WsClient backend = connect("backend");
    subscribe(backend, "room-1");
    subscribe(backend, "room-*");
    subscribe(backend, "**");

    publish("room-1", "once");

    assertThat(backend.next("message").get("data").getAsString()).isEqualTo("once");
    backend.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void overlappingSubscriptionsStampFromMetadataWhenAnyOfThemAskedForIt() {
    WsClient sender =
        connect(TokenRequest.builder("sender").peerMetadata(json("{\"n\": \"S\"}")).build());
    WsClient backend = connect("backend");
    subscribe(backend, "room-1");
    backend.send(
        frame("subscribe", "channel", "room-*", "includeSenderMetadata", true, "requestId", "w"));
    backend.next("ack");
    backend.next("presence");

    sender.send(frame("publish", "channel", "room-1", "data", 1));

    assertThat(backend.next("message").get("fromMetadata")).isEqualTo(json("{\"n\": \"S\"}"));
  }

  @Test
  void escapedStarsMatchOnlyALiteralStar() {
    WsClient backend = connect("backend");
    subscribe(backend, "odd\\*name");

    publish("oddXname", 1);
    publish("odd*name", 2);

    JsonObject m = backend.next("message");
    assertThat(m.get("channel").getAsString()).isEqualTo("odd*name");
    assertThat(m.get("data").getAsString()).isEqualTo("2");
  }

  @Test
  void aBrokenEscapeIsAnInvalidChannel() {
    WsClient backend = connect("backend");

    backend.send(frame("subscribe", "channel", "bad\\escape", "requestId", "s"));

    MessagingTest.assertError(backend.next("error"), "s", "invalid_channel");
  }

  @Test
  void aWildcardSubscriptionNeverYieldsChannelsOutsideTheSubscribersScope() {
    // "a**" is literally within the claim "a*" (no slash in it), but "a/secret" is not.
    WsClient limited = connect(TokenRequest.builder("limited").channels("a*").build());
    subscribe(limited, "a**");

    publish("a/secret", 1);
    publish("abc", 2);

    assertThat(limited.next("message").get("channel").getAsString()).isEqualTo("abc");
    limited.assertNoFrame(Duration.ofMillis(300));
  }

  @Test
  void unsubscribingAWildcardStopsItsDelivery() {
    WsClient backend = connect("backend");
    subscribe(backend, "room-*");
    backend.send(frame("unsubscribe", "channel", "room-*", "requestId", "u"));
    backend.next("ack");

    publish("room-1", 1);

    backend.assertNoFrame(Duration.ofMillis(300));
  }
}
