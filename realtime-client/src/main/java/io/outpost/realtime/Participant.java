package io.outpost.realtime;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Optional;

/**
 * One peer present on a channel.
 *
 * @param peerId its identity
 * @param metadata its {@code peerMetadata} (empty object when it has none)
 */
public record Participant(String peerId, JsonObject metadata) {

  public Participant {
    metadata = metadata == null ? new JsonObject() : metadata.deepCopy();
  }

  @Override
  public JsonObject metadata() {
    return metadata.deepCopy();
  }

  /** The string value of a top-level metadata field such as {@code "name"}, if it is a string. */
  public Optional<String> metadataString(String field) {
    JsonElement value = metadata.get(field);
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()
        ? Optional.of(value.getAsString())
        : Optional.empty();
  }
}
