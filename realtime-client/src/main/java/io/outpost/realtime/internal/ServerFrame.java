package io.outpost.realtime.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.realtime.Participant;
import java.util.List;

/**
 * A parsed server-to-client frame; exactly the shapes the JS SDK's {@code parseServerFrame}
 * accepts.
 */
public sealed interface ServerFrame {

  /** {@code welcome}; {@code expiresAt} is {@code null} for publishable keys. */
  record Welcome(
      String peerId, Double expiresAt, double serverTime, int maxMessageSize, JsonObject metadata)
      implements ServerFrame {}

  /** {@code ack}. */
  record Ack(String requestId) implements ServerFrame {}

  /** {@code error}; {@code requestId} is {@code null} when uncorrelated. */
  record Error(String code, String requestId, String message) implements ServerFrame {}

  /** {@code message}; {@code fromMetadata} may be {@code null}. */
  record Message(String channel, String from, JsonObject fromMetadata, JsonElement data)
      implements ServerFrame {}

  /** {@code direct}; {@code fromMetadata} may be {@code null}. */
  record Direct(String from, JsonObject fromMetadata, JsonElement data) implements ServerFrame {}

  /** {@code presence}. */
  record Presence(String channel, List<Participant> joined, List<Participant> left)
      implements ServerFrame {}

  /** {@code going_away}; {@code retryAfterMs} defaults to 1000 when absent or invalid. */
  record GoingAway(long retryAfterMs) implements ServerFrame {}

  /** {@code pong}. */
  record Pong() implements ServerFrame {}

  /**
   * Anything else: not JSON, not an object, missing fields, unknown type. Never shown raw in logs.
   */
  record Malformed(String reason) implements ServerFrame {}
}
