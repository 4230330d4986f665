package io.outpost.realtime;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Optional;

/**
 * A message another peer sent to this client's peerId with {@code send}.
 *
 * @param from the sender's peerId
 * @param fromMetadata the sender's {@code peerMetadata} when it has one
 * @param data the payload, as sent
 */
public record DirectMessage(String from, Optional<JsonObject> fromMetadata, JsonElement data) {}
