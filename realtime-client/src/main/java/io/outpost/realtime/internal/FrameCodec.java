package io.outpost.realtime.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.outpost.realtime.InvalidArgumentException;
import io.outpost.realtime.Participant;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Parses server frames and builds client frames. Stateless; safe from any thread. */
public final class FrameCodec {

  private static final String ACK_PREFIX = "{\"type\":\"ack\",\"requestId\":\"";

  /** The keepalive (no requestId, no ack): the same text on every call, so it is built once. */
  private static final String PING = "{\"type\":\"ping\"}";

  private FrameCodec() {}

  /** Parses one text frame; never throws. */
  public static ServerFrame parse(String raw) {
    // Acks are most of the traffic of a busy publisher; their compact form needs no JSON tree.
    if (raw.startsWith(ACK_PREFIX) && raw.endsWith("\"}")) {
      String id = raw.substring(ACK_PREFIX.length(), raw.length() - 2);
      if (id.indexOf('"') < 0 && id.indexOf('\\') < 0) {
        return new ServerFrame.Ack(id);
      }
    }
    JsonElement root;
    try {
      // Strict, whole-document parsing: lenient Gson would read "garbage" as the string "garbage".
      JsonReader reader = new JsonReader(new StringReader(raw));
      reader.setStrictness(Strictness.STRICT);
      root = readValue(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        return new ServerFrame.Malformed("invalid JSON");
      }
    } catch (IOException | RuntimeException | StackOverflowError e) {
      return new ServerFrame.Malformed("invalid JSON");
    }
    if (!root.isJsonObject()) {
      return new ServerFrame.Malformed("envelope must be an object");
    }
    JsonObject env = root.getAsJsonObject();
    String type = string(env, "type");
    if (type == null) {
      return new ServerFrame.Malformed("missing or non-string type");
    }
    return switch (type) {
      case "welcome" -> welcome(env);
      case "ack" -> {
        String id = string(env, "requestId");
        yield id == null
            ? new ServerFrame.Malformed("ack.requestId missing")
            : new ServerFrame.Ack(id);
      }
      case "error" -> {
        String code = string(env, "code");
        if (code == null || code.isEmpty()) {
          yield new ServerFrame.Malformed("error.code missing");
        }
        String message = string(env, "message");
        yield new ServerFrame.Error(code, string(env, "requestId"), message == null ? "" : message);
      }
      case "message" -> {
        String channel = string(env, "channel");
        String from = string(env, "from");
        if (channel == null) {
          yield new ServerFrame.Malformed("message.channel missing");
        }
        if (from == null) {
          yield new ServerFrame.Malformed("message.from missing");
        }
        if (!env.has("data")) {
          yield new ServerFrame.Malformed("message.data missing");
        }
        yield new ServerFrame.Message(channel, from, object(env, "fromMetadata"), env.get("data"));
      }
      case "direct" -> {
        String from = string(env, "from");
        if (from == null) {
          yield new ServerFrame.Malformed("direct.from missing");
        }
        if (!env.has("data")) {
          yield new ServerFrame.Malformed("direct.data missing");
        }
        yield new ServerFrame.Direct(from, object(env, "fromMetadata"), env.get("data"));
      }
      case "presence" -> {
        String channel = string(env, "channel");
        if (channel == null) {
          yield new ServerFrame.Malformed("presence.channel missing");
        }
        List<Participant> joined = peers(env.get("joined"));
        List<Participant> left = peers(env.get("left"));
        if (joined == null) {
          yield new ServerFrame.Malformed("presence.joined invalid");
        }
        if (left == null) {
          yield new ServerFrame.Malformed("presence.left invalid");
        }
        yield new ServerFrame.Presence(channel, joined, left);
      }
      case "going_away" -> {
        Double retry = number(env, "retryAfterMs");
        yield new ServerFrame.GoingAway(
            retry != null && retry > 0 && retry < 86_400_000d ? retry.longValue() : 1000);
      }
      case "pong" -> new ServerFrame.Pong();
      default -> new ServerFrame.Malformed("unknown type");
    };
  }

  private static ServerFrame welcome(JsonObject env) {
    String peerId = string(env, "peerId");
    if (peerId == null) {
      return new ServerFrame.Malformed("welcome.peerId missing");
    }
    JsonElement exp = env.get("expiresAt");
    // The SDK requires the key (null allowed); be lenient: absent, like null, means no expiry.
    Double expiresAt = null;
    if (exp != null && !exp.isJsonNull()) {
      expiresAt = number(env, "expiresAt");
      if (expiresAt == null) {
        return new ServerFrame.Malformed("welcome.expiresAt must be number or null");
      }
    }
    Double serverTime = number(env, "serverTime");
    if (serverTime == null) {
      return new ServerFrame.Malformed("welcome.serverTime missing");
    }
    Double max = number(env, "maxMessageSize");
    if (max == null || max < 1) {
      return new ServerFrame.Malformed("welcome.maxMessageSize missing");
    }
    int maxMessageSize = max > Integer.MAX_VALUE ? Integer.MAX_VALUE : max.intValue();
    return new ServerFrame.Welcome(
        peerId, expiresAt, serverTime, maxMessageSize, object(env, "metadata"));
  }

  private static List<Participant> peers(JsonElement value) {
    if (value == null || !value.isJsonArray()) {
      return null;
    }
    List<Participant> out = new ArrayList<>();
    for (JsonElement entry : value.getAsJsonArray()) {
      if (!entry.isJsonObject()) {
        return null;
      }
      String peerId = string(entry.getAsJsonObject(), "peerId");
      if (peerId == null) {
        return null;
      }
      out.add(new Participant(peerId, object(entry.getAsJsonObject(), "metadata")));
    }
    return out;
  }

  private static String string(JsonObject o, String key) {
    JsonElement v = o.get(key);
    return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()
        ? v.getAsString()
        : null;
  }

  private static Double number(JsonObject o, String key) {
    JsonElement v = o.get(key);
    if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
      return null;
    }
    double d = v.getAsDouble();
    return Double.isFinite(d) ? d : null;
  }

  private static JsonObject object(JsonObject o, String key) {
    JsonElement v = o.get(key);
    return v != null && v.isJsonObject() ? v.getAsJsonObject() : null;
  }

  /** {@code {"type":"subscribe","channel":…,"requestId":…[,"includeSenderMetadata":true]}}. */
  public static String subscribe(String channel, boolean includeSenderMetadata, String requestId) {
    return "{\"type\":\"subscribe\",\"channel\":"
        + quote(channel)
        + ",\"requestId\":"
        + quote(requestId)
        + (includeSenderMetadata ? ",\"includeSenderMetadata\":true}" : "}");
  }

  /** {@code unsubscribe}. */
  public static String unsubscribe(String channel, String requestId) {
    return "{\"type\":\"unsubscribe\",\"channel\":"
        + quote(channel)
        + ",\"requestId\":"
        + quote(requestId)
        + "}";
  }

  /** The JSON text of a data value, as it goes into {@code publish} and {@code send}. */
  public static String json(JsonElement data) {
    return data.toString();
  }

  /**
   * Whether {@code text} is exactly one JSON value under strict syntax. Checked by a streaming pass
   * that builds no tree: spliced text cannot end the value early and smuggle fields into the frame
   * around it.
   */
  public static boolean isJsonValue(String text) {
    if (text == null) {
      return false;
    }
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setStrictness(Strictness.STRICT);
      reader.skipValue();
      return reader.peek() == JsonToken.END_DOCUMENT;
    } catch (IOException | RuntimeException | StackOverflowError e) {
      return false;
    }
  }

  /** Parses exactly one JSON value under strict syntax. */
  public static JsonElement parseValue(String text) {
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setStrictness(Strictness.STRICT);
      JsonElement value = readValue(reader);
      if (reader.peek() == JsonToken.END_DOCUMENT) {
        return value;
      }
    } catch (IOException | RuntimeException | StackOverflowError e) {
      // reported below
    }
    throw new InvalidArgumentException("data is not exactly one JSON value");
  }

  /**
   * One JSON value as a tree, through {@link JsonParser} rather than a {@code Gson} instance, whose
   * construction alone loads about a hundred classes of type adapters this never uses. The first
   * {@code peek} makes empty input an error ({@link JsonParser} alone would read it as JSON null).
   */
  private static JsonElement readValue(JsonReader reader) throws IOException {
    reader.peek();
    return JsonParser.parseReader(reader);
  }

  /** {@code publish}. */
  public static String publish(String channel, JsonElement data, String requestId) {
    return publish(channel, json(data), requestId);
  }

  /** {@code publish} with the data already serialised ({@link #json}). */
  public static String publish(String channel, String data, String requestId) {
    return "{\"type\":\"publish\",\"channel\":"
        + quote(channel)
        + ",\"data\":"
        + data
        + ",\"requestId\":"
        + quote(requestId)
        + "}";
  }

  /** {@code send}. */
  public static String send(String to, JsonElement data, String requestId) {
    return send(to, json(data), requestId);
  }

  /** {@code send} with the data already serialised ({@link #json}). */
  public static String send(String to, String data, String requestId) {
    return "{\"type\":\"send\",\"to\":"
        + quote(to)
        + ",\"data\":"
        + data
        + ",\"requestId\":"
        + quote(requestId)
        + "}";
  }

  /**
   * A JSON string literal (Gson's escaping, so the output matches what Gson itself would write).
   */
  private static String quote(String value) {
    return new JsonPrimitive(value).toString();
  }

  /** The keepalive {@code {"type":"ping"}} (no requestId, no ack). */
  public static String ping() {
    return PING;
  }

  /** Size of a frame on the wire, in UTF-8 bytes. */
  public static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
