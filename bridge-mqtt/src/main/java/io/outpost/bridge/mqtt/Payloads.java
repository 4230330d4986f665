package io.outpost.bridge.mqtt;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How MQTT payloads (bytes) become JSON-like values on the network and back: JSON stays JSON, UTF-8
 * text becomes a string, anything else is base64 with a {@code contentType}.
 */
final class Payloads {
  private Payloads() {}

  /** A payload as carried on the network: {@code value}, plus how it was encoded. */
  record Carried(Object value, String encoding, String contentType) {

    /**
     * Puts {@code payload} (and {@code encoding}/{@code contentType} for binary) into {@code m}.
     */
    void putInto(Map<String, Object> m) {
      m.put("payload", value);
      if (encoding != null) {
        m.put("encoding", encoding);
      }
      if (contentType != null) {
        m.put("contentType", contentType);
      }
    }
  }

  /**
   * Classifies {@code bytes}.
   *
   * @param contentType the MQTT 5 content type, if the publisher gave one
   */
  static Carried carry(byte[] bytes, String contentType) {
    String text = utf8Text(bytes);
    if (text != null) {
      JsonElement json = strictJson(text);
      if (json != null) {
        return new Carried(toJava(json), null, contentType);
      }
      return new Carried(text, null, contentType);
    }
    return new Carried(
        Base64.getEncoder().encodeToString(bytes),
        "base64",
        contentType == null ? "application/octet-stream" : contentType);
  }

  /** The payload as text when it is valid UTF-8 without control characters, else null. */
  static String utf8Text(byte[] bytes) {
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
          return null;
        }
      }
      return s;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** {@code text} parsed as one strict JSON value, or null when it is not exactly that. */
  static JsonElement strictJson(String text) {
    if (text.isBlank()) {
      return null;
    }
    try (JsonReader r = new JsonReader(new StringReader(text))) {
      r.setStrictness(Strictness.STRICT);
      JsonElement e = com.google.gson.JsonParser.parseReader(r);
      return r.peek() == JsonToken.END_DOCUMENT ? e : null;
    } catch (JsonParseException | IOException | IllegalStateException | NumberFormatException e) {
      return null;
    }
  }

  /** Gson tree → Map / List / String / Long or Double / Boolean / null. */
  static Object toJava(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (var en : e.getAsJsonObject().entrySet()) {
        m.put(en.getKey(), toJava(en.getValue()));
      }
      return m;
    }
    if (e.isJsonArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonElement x : e.getAsJsonArray()) {
        l.add(toJava(x));
      }
      return l;
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    if (p.isNumber()) {
      double d = p.getAsDouble();
      if (d == Math.rint(d) && Math.abs(d) < 1e15 && !p.getAsString().contains(".")) {
        return (long) d;
      }
      return d;
    }
    return p.getAsString();
  }

  /** Java value → Gson tree (for serialising a value extracted from a network message). */
  static JsonElement toJson(Object v) {
    if (v == null) {
      return com.google.gson.JsonNull.INSTANCE;
    }
    if (v instanceof Map<?, ?> m) {
      JsonObject o = new JsonObject();
      m.forEach((k, x) -> o.add(String.valueOf(k), toJson(x)));
      return o;
    }
    if (v instanceof List<?> l) {
      JsonArray a = new JsonArray();
      l.forEach(x -> a.add(toJson(x)));
      return a;
    }
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    return new JsonPrimitive(String.valueOf(v));
  }

  /**
   * The bytes to publish for a value taken from a network message: a string as its UTF-8 text (or
   * its decoded bytes when {@code base64}), a number or boolean as text, anything else as JSON.
   */
  static byte[] toBytes(Object value, boolean base64) {
    if (value instanceof String s) {
      return base64 ? Base64.getDecoder().decode(s) : s.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      String text =
          d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.toString();
      return text.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof Boolean b) {
      return b.toString().getBytes(StandardCharsets.UTF_8);
    }
    return toJson(value).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The value at a dotted {@code path} ("" = all of {@code data}), or null when absent. */
  static Object extract(Object data, String path) {
    if (path.isEmpty()) {
      return data;
    }
    Object v = data;
    for (String key : path.split("\\.")) {
      if (!(v instanceof Map<?, ?> m) || !m.containsKey(key)) {
        return null;
      }
      v = m.get(key);
    }
    return v;
  }

  /**
   * SenML records for a payload of the common kinds: a number (or numeric text), a boolean, or a
   * flat JSON object of numbers, booleans and strings (one record per field, named {@code
   * name/field}). Returns an empty list for anything else.
   *
   * @param timeSeconds when the message arrived (SenML absolute time)
   */
  static List<Map<String, Object>> senml(
      byte[] bytes, String name, String unit, double timeSeconds) {
    String text = utf8Text(bytes);
    List<Map<String, Object>> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    JsonElement json = strictJson(text.trim());
    if (json == null) {
      return out;
    }
    if (json.isJsonPrimitive()) {
      Map<String, Object> r = record(name, unit, json.getAsJsonPrimitive(), timeSeconds);
      if (r != null && !json.getAsJsonPrimitive().isString()) {
        out.add(r);
      }
      return out;
    }
    if (json.isJsonObject()) {
      for (var e : json.getAsJsonObject().entrySet()) {
        if (!e.getValue().isJsonPrimitive()) {
          return List.of(); // not flat
        }
        Map<String, Object> r =
            record(name + "/" + e.getKey(), null, e.getValue().getAsJsonPrimitive(), timeSeconds);
        if (r != null) {
          out.add(r);
        }
      }
    }
    return out;
  }

  private static Map<String, Object> record(
      String name, String unit, JsonPrimitive p, double timeSeconds) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("n", name);
    if (unit != null) {
      r.put("u", unit);
    }
    if (p.isNumber()) {
      double d = p.getAsDouble();
      if (!Double.isFinite(d)) {
        return null;
      }
      r.put("v", d);
    } else if (p.isBoolean()) {
      r.put("vb", p.getAsBoolean());
    } else {
      r.put("vs", p.getAsString());
    }
    r.put("t", timeSeconds);
    return r;
  }
}
