package io.outpost.agent.internal;

import com.google.gson.FormattingStyle;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between Gson trees and the plain Java values plugin-api's {@code Options} reads (String,
 * Long/Double, Boolean, List, Map). Integral numbers become {@link Long} so that {@code 5} stays
 * {@code 5} when printed back.
 *
 * <p>Text is written by a small walk over the tree on Gson's public {@link JsonWriter}, not by a
 * {@code Gson} instance: building one loads about a hundred classes (the type adapters for dates,
 * SQL types, reflection, …) that writing a tree never uses, and each loaded class stays resident
 * (docs/performance.md, "Memory"). The output is byte for byte what {@code new
 * GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(tree)} (and {@code
 * setPrettyPrinting()} for {@link #pretty}) writes; JsonTest compares them.
 */
public final class Json {
  private Json() {}

  /**
   * Compact JSON text of a tree, for the wire and stored messages: no HTML escaping, nulls kept,
   * integers integral. Like Gson's {@code toJson} of a tree, non-finite numbers in a tree are
   * written as {@code NaN}/{@code Infinity} rather than refused.
   */
  public static String write(JsonElement e) {
    return write(e, null, true);
  }

  /** A string as a JSON string literal, as {@link #write} escapes it; null as {@code null}. */
  public static String quote(String s) {
    return s == null ? "null" : write(new JsonPrimitive(s));
  }

  /**
   * Indented JSON text for humans ({@code outpost check}): two spaces, {@code "key": value}, and
   * members whose value is null left out.
   */
  public static String pretty(JsonElement e) {
    return write(e, FormattingStyle.PRETTY, false);
  }

  private static String write(JsonElement e, FormattingStyle style, boolean serializeNulls) {
    StringWriter text = new StringWriter();
    JsonWriter out = new JsonWriter(text);
    if (style != null) {
      out.setFormattingStyle(style);
    }
    out.setHtmlSafe(false);
    out.setSerializeNulls(serializeNulls);
    // What Gson's toJson does for a tree: lenient, so NaN and Infinity are written, not refused.
    out.setStrictness(Strictness.LENIENT);
    try {
      write(out, e == null ? JsonNull.INSTANCE : e);
      out.flush();
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible); // a StringWriter does not fail
    }
    return text.toString();
  }

  private static void write(JsonWriter out, JsonElement e) throws IOException {
    if (e == null || e.isJsonNull()) {
      out.nullValue();
    } else if (e instanceof JsonPrimitive p) {
      if (p.isNumber()) {
        out.value(p.getAsNumber());
      } else if (p.isBoolean()) {
        out.value(p.getAsBoolean());
      } else {
        out.value(p.getAsString());
      }
    } else if (e instanceof JsonArray a) {
      out.beginArray();
      for (JsonElement x : a) {
        write(out, x);
      }
      out.endArray();
    } else {
      out.beginObject();
      for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
        out.name(en.getKey());
        write(out, en.getValue());
      }
      out.endObject();
    }
  }

  /**
   * Parses strict JSON text; throws {@link JsonParseException} with Gson's position on bad input.
   */
  public static JsonElement parse(String text) {
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    JsonElement e = JsonParser.parseReader(reader);
    try {
      if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
        throw new JsonParseException("unexpected text after the JSON value");
      }
    } catch (java.io.IOException ex) {
      throw new JsonParseException(ex.getMessage(), ex);
    }
    return e;
  }

  /**
   * Parses JSON that may contain {@code //} line comments and {@code /* … *}{@code /} block
   * comments (configuration files and profiles); otherwise as strict as {@link #parse}.
   */
  public static JsonElement parseWithComments(String text) {
    return parse(stripComments(text));
  }

  /** Replaces comments outside strings with spaces (keeping line numbers for error messages). */
  static String stripComments(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\' && i + 1 < text.length()) {
          out.append(text.charAt(++i));
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
        out.append(c);
      } else if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/') {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
        if (i < text.length()) {
          out.append('\n');
        }
      } else if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
        i += 2;
        while (i < text.length()
            && !(text.charAt(i) == '*' && i + 1 < text.length() && text.charAt(i + 1) == '/')) {
          out.append(text.charAt(i) == '\n' ? '\n' : ' ');
          i++;
        }
        i++;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A Gson tree as plain Java values. */
  public static Object toJava(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet()) {
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
      BigDecimal d = p.getAsBigDecimal();
      try {
        return d.longValueExact();
      } catch (ArithmeticException notIntegral) {
        return d.doubleValue();
      }
    }
    return p.getAsString();
  }

  /** Plain Java values as a Gson tree; doubles that are whole numbers are written without ".0". */
  public static JsonElement toJson(Object v) {
    if (v == null) {
      return JsonNull.INSTANCE;
    }
    if (v instanceof JsonElement e) {
      return e;
    }
    if (v instanceof Map<?, ?> m) {
      JsonObject o = new JsonObject();
      for (Map.Entry<?, ?> en : m.entrySet()) {
        o.add(String.valueOf(en.getKey()), toJson(en.getValue()));
      }
      return o;
    }
    if (v instanceof Iterable<?> it) {
      JsonArray a = new JsonArray();
      for (Object x : it) {
        a.add(toJson(x));
      }
      return a;
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return new JsonPrimitive(d.longValue());
    }
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    return new JsonPrimitive(String.valueOf(v));
  }

  /** A short description of a JSON value's kind for error messages ("a string", "a number", …). */
  public static String kind(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "a list";
    }
    return String.valueOf(v);
  }
}
