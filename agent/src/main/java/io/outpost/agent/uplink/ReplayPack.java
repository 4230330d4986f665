package io.outpost.agent.uplink;

import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.outpost.agent.outbox.Row;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Stored messages of the events channel packed into one replay envelope (architecture.md §5):
 * {@code {"type":"replay","device":…,"stream":…,"messages":[<stored body>, …]}}. The stored JSON
 * text is spliced in unchanged, so each inner message keeps its own {@code seq} and {@code id} and
 * no body is parsed into a tree and written again. The envelope plus the frame around it stays
 * within the server's {@code maxMessageSize} (UTF-8 bytes).
 */
final class ReplayPack {
  /**
   * Bytes kept free for the publish frame around the data besides the channel: {@code
   * {"type":"publish","channel":,"data":,"requestId":"…"}} with a request id of up to 128
   * characters.
   */
  static final int FRAME_MARGIN = 256;

  private final String prefix;
  private final int limit;
  private final List<Row> rows = new ArrayList<>();
  private int bytes;
  private int chars;

  /**
   * @param maxMessageSize the server's cap for a whole frame, from its welcome
   */
  ReplayPack(String device, String stream, String channel, int maxMessageSize) {
    this.prefix =
        "{\"type\":\"replay\",\"device\":"
            + quote(device)
            + ",\"stream\":"
            + quote(stream)
            + ",\"messages\":[";
    this.limit = maxMessageSize - FRAME_MARGIN - utf8Length(quote(channel));
    this.bytes = utf8Length(prefix) + 2; // "]}"
    this.chars = prefix.length() + 2;
  }

  /**
   * Adds {@code row} if the envelope still fits with it.
   *
   * @return false when it does not fit (the pack is then complete)
   */
  boolean add(Row row) {
    int more = utf8Length(row.body()) + (rows.isEmpty() ? 0 : 1);
    if (bytes + more > limit) {
      return false;
    }
    rows.add(row);
    bytes += more;
    chars += row.body().length() + (rows.size() == 1 ? 0 : 1);
    return true;
  }

  List<Row> rows() {
    return rows;
  }

  /** The envelope's JSON text. */
  String text() {
    StringBuilder sb = new StringBuilder(chars).append(prefix);
    for (int i = 0; i < rows.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(rows.get(i).body());
    }
    return sb.append("]}").toString();
  }

  /**
   * Whether {@code body} is exactly one JSON object: checked by a streaming pass that builds no
   * tree, so a damaged stored body can never break the envelope it would be spliced into.
   */
  static boolean isJsonObject(String body) {
    if (body == null || body.isEmpty() || body.charAt(0) != '{') {
      return false;
    }
    try {
      JsonReader reader = new JsonReader(new StringReader(body));
      reader.setStrictness(Strictness.STRICT);
      reader.skipValue();
      return reader.peek() == JsonToken.END_DOCUMENT;
    } catch (IOException | RuntimeException | StackOverflowError e) {
      return false;
    }
  }

  private static String quote(String s) {
    return new JsonPrimitive(s).toString();
  }

  /** Size of {@code s} in UTF-8 bytes (what the server counts). */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
