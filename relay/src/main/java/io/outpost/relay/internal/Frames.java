package io.outpost.relay.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Collection;
import java.util.Map;

/** Builders for every server → client frame of protocol.md section 3. Stateless. */
public final class Frames {
  private static final String PONG = "{\"type\":\"pong\"}";

  private Frames() {}

  public static String welcome(
      String peerId, Long expiresAt, long serverTime, int maxMessageSize, JsonObject metadata) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "welcome");
    o.addProperty("peerId", peerId);
    if (expiresAt == null) {
      o.add("expiresAt", com.google.gson.JsonNull.INSTANCE);
    } else {
      o.addProperty("expiresAt", expiresAt);
    }
    o.addProperty("serverTime", serverTime);
    o.addProperty("maxMessageSize", maxMessageSize);
    o.add("metadata", metadata != null ? metadata : new JsonObject());
    return o.toString();
  }

  public static String ack(String requestId) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "ack");
    o.addProperty("requestId", requestId);
    return o.toString();
  }

  /** An {@code error} frame; {@code requestId} may be null (uncorrelated error). */
  public static String error(String requestId, String code, String message) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "error");
    if (requestId != null) {
      o.addProperty("requestId", requestId);
    }
    o.addProperty("code", code);
    o.addProperty("message", message);
    return o.toString();
  }

  /** A {@code presence} frame; entries map peerId to its peerMetadata (null = omitted). */
  public static String presence(
      String channel, Map<String, JsonObject> joined, Collection<String> left) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "presence");
    o.addProperty("channel", channel);
    o.add("joined", peers(joined));
    JsonArray l = new JsonArray();
    for (String peerId : left) {
      JsonObject p = new JsonObject();
      p.addProperty("peerId", peerId);
      l.add(p);
    }
    o.add("left", l);
    return o.toString();
  }

  /** Entries {@code {peerId, metadata?}} as presence and the REST peers list use them. */
  public static JsonArray peers(Map<String, JsonObject> peers) {
    JsonArray a = new JsonArray();
    for (Map.Entry<String, JsonObject> e : peers.entrySet()) {
      JsonObject p = new JsonObject();
      p.addProperty("peerId", e.getKey());
      if (e.getValue() != null) {
        p.add("metadata", e.getValue());
      }
      a.add(p);
    }
    return a;
  }

  public static String goingAway(long retryAfterMs) {
    return "{\"type\":\"going_away\",\"retryAfterMs\":" + retryAfterMs + "}";
  }

  public static String pong() {
    return PONG;
  }

  /** A channel {@code message}; {@code fromMetadata} may be null (field omitted). */
  public static String message(
      String channel, String from, JsonObject fromMetadata, JsonElement data) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "message");
    o.addProperty("channel", channel);
    o.addProperty("from", from);
    if (fromMetadata != null) {
      o.add("fromMetadata", fromMetadata);
    }
    o.add("data", data);
    return o.toString();
  }

  /** A {@code direct} message; {@code fromMetadata} may be null (field omitted). */
  public static String direct(String from, JsonObject fromMetadata, JsonElement data) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "direct");
    o.addProperty("from", from);
    if (fromMetadata != null) {
      o.add("fromMetadata", fromMetadata);
    }
    o.add("data", data);
    return o.toString();
  }
}
