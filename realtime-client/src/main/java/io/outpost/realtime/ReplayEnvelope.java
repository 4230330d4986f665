package io.outpost.realtime;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpacks Outpost's replay envelope (architecture.md §5). After an outage an Outpost agent sends
 * the messages it stored for its events channel packed several to a network message:
 *
 * <pre>{@code
 * {"type": "replay", "device": "pi-0042", "stream": "5f1c…",
 *  "messages": [{"type": "telemetry", "seq": 17, "id": "pi-0042:5f1c…:17", …}, …]}
 * }</pre>
 *
 * Each inner message is the stored message unchanged, with its own {@code seq} and {@code id}, in
 * the order the device produced them. A consumer hands every message it receives to {@link #unpack}
 * and treats each element returned as if it had arrived alone: dedupe on {@code id}, detect gaps by
 * {@code seq}, exactly as for live messages.
 *
 * <pre>{@code
 * public void onMessage(ChannelMessage m) {
 *   for (JsonElement data : ReplayEnvelope.unpack(m.data())) {
 *     handle(m.channel(), data);
 *   }
 * }
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class ReplayEnvelope {
  /** The {@code type} of an envelope. */
  public static final String TYPE = "replay";

  private ReplayEnvelope() {}

  /** Whether {@code data} is a replay envelope (an object of that type with a message array). */
  public static boolean is(JsonElement data) {
    if (data == null || !data.isJsonObject()) {
      return false;
    }
    JsonObject o = data.getAsJsonObject();
    JsonElement type = o.get("type");
    return type != null
        && type.isJsonPrimitive()
        && TYPE.equals(type.getAsString())
        && o.get("messages") instanceof JsonArray;
  }

  /**
   * The messages {@code data} stands for: the inner messages of an envelope, in order, or {@code
   * data} itself when it is not one (live messages, other publishers, anything malformed: nothing
   * is hidden from the caller). Never throws; {@code null} gives an empty list.
   */
  public static List<JsonElement> unpack(JsonElement data) {
    if (data == null) {
      return List.of();
    }
    if (!is(data)) {
      return List.of(data);
    }
    JsonArray messages = data.getAsJsonObject().getAsJsonArray("messages");
    List<JsonElement> out = new ArrayList<>(messages.size());
    messages.forEach(out::add);
    return out;
  }
}
