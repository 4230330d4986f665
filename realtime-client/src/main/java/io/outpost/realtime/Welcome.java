package io.outpost.realtime;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * What the server said in its {@code welcome} frame, plus whether this is a reconnection.
 *
 * @param peerId this connection's identity (the JWT {@code sub}; a fresh UUID per connection for
 *     publishable keys)
 * @param expiresAt when the credential expires, empty for publishable keys
 * @param serverTime the server's clock at welcome
 * @param maxMessageSize the server's per-frame cap in bytes; larger outgoing frames fail locally
 * @param metadata the JWT {@code metadata} claim (private to this peer), empty object when absent
 * @param reconnect {@code false} for the first welcome after {@link RealtimeClient#connect()},
 *     {@code true} for every later one (reconnects and token-refresh switches)
 */
public record Welcome(
    String peerId,
    Optional<Instant> expiresAt,
    Instant serverTime,
    int maxMessageSize,
    JsonObject metadata,
    boolean reconnect) {

  public Welcome {
    metadata = metadata == null ? new JsonObject() : metadata.deepCopy();
  }

  @Override
  public JsonObject metadata() {
    return metadata.deepCopy();
  }
}
