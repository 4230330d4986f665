package io.outpost.realtime;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Optional;

/**
 * A message published on a channel this client subscribed to.
 *
 * @param channel the concrete channel the publisher used (also for wildcard subscriptions)
 * @param from the publisher's peerId (caller-chosen, e.g. {@code "system"}, for REST publishes)
 * @param fromMetadata the publisher's {@code peerMetadata}, present only when the subscription
 *     asked for it and the publisher has some
 * @param data the payload, as sent
 */
public record ChannelMessage(
    String channel, String from, Optional<JsonObject> fromMetadata, JsonElement data) {}
