package io.outpost.relay.dashboard;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.relay.internal.ChannelPattern;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded recent window of what devices published on {@code devices/<id>/events}, so that a
 * dashboard opened now can draw the last minutes at once instead of filling slowly.
 *
 * <p>Bounds: {@link #MAX_CHANNELS} channels (the least recently published is forgotten first), per
 * channel at most {@link #MAX_MESSAGES} messages, {@link #MAX_BYTES} bytes and {@link #WINDOW_MS}
 * of age. Worst case about 64 MiB for a site at every bound; a typical device (a few hundred bytes
 * a second) keeps well under 1 MiB. Thread-safe.
 */
final class RecentEvents {
  static final int MAX_CHANNELS = 256;
  static final int MAX_MESSAGES = 2000;
  static final long MAX_BYTES = 256 * 1024;
  static final long WINDOW_MS = 15 * 60 * 1000;

  private static final ChannelPattern DEVICE_EVENTS = ChannelPattern.compile("devices/*/events");

  private record Entry(long at, String json) {}

  private static final class Window {
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    long bytes;
  }

  private final Clock clock;
  private final Map<String, Window> windows = new LinkedHashMap<>(16, 0.75f, true);

  RecentEvents(Clock clock) {
    this.clock = clock;
  }

  /**
   * Called for every publish; keeps only device event channels. A replay envelope (architecture.md
   * §5) is kept as the messages in it, so the history reads the same whether a message came live or
   * after an outage.
   */
  void record(String channel, JsonElement data) {
    if (!DEVICE_EVENTS.matches(channel)) {
      return;
    }
    long now = clock.millis();
    synchronized (windows) {
      Window w = windows.computeIfAbsent(channel, c -> new Window());
      for (JsonElement m : unpack(data)) {
        String json = m.toString();
        w.entries.addLast(new Entry(now, json));
        w.bytes += json.length();
      }
      trim(w, now);
      if (windows.size() > MAX_CHANNELS) {
        Iterator<String> eldest = windows.keySet().iterator();
        eldest.next();
        eldest.remove();
      }
    }
  }

  /** The messages of a replay envelope, or {@code data} itself. */
  private static Iterable<JsonElement> unpack(JsonElement data) {
    if (data.isJsonObject()) {
      JsonObject o = data.getAsJsonObject();
      JsonElement type = o.get("type");
      if (type != null
          && type.isJsonPrimitive()
          && "replay".equals(type.getAsString())
          && o.get("messages") instanceof JsonArray messages) {
        return messages;
      }
    }
    return java.util.List.of(data);
  }

  private static void trim(Window w, long now) {
    while (!w.entries.isEmpty()
        && (w.entries.size() > MAX_MESSAGES
            || w.bytes > MAX_BYTES
            || now - w.entries.peekFirst().at() > WINDOW_MS)) {
      w.bytes -= w.entries.removeFirst().json().length();
    }
  }

  /**
   * {@code {"channel": …, "messages": [{"at": epochMillis, "data": …}, …]}}, oldest first, at most
   * {@code sinceMs} old.
   */
  JsonObject history(String channel, long sinceMs) {
    JsonObject out = new JsonObject();
    out.addProperty("channel", channel);
    JsonArray messages = new JsonArray();
    long now = clock.millis();
    synchronized (windows) {
      Window w = windows.get(channel);
      if (w != null) {
        trim(w, now);
        for (Entry e : w.entries) {
          if (now - e.at() <= sinceMs) {
            JsonObject m = new JsonObject();
            m.addProperty("at", e.at());
            m.add("data", com.google.gson.JsonParser.parseString(e.json()));
            messages.add(m);
          }
        }
      }
    }
    out.add("messages", messages);
    return out;
  }

  /** Device event channels with a recent message, most recently published last. */
  JsonArray channels() {
    JsonArray out = new JsonArray();
    synchronized (windows) {
      windows.keySet().forEach(out::add);
    }
    return out;
  }
}
