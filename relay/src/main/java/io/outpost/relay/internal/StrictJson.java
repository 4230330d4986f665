package io.outpost.relay.internal;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses JSON from outside (WebSocket frames, REST bodies, JWT segments, the keys file) by RFC 8259
 * only: no single quotes, comments, unquoted names, {@code NaN}/{@code Infinity}, unescaped control
 * characters or anything after the value. Gson's default is lenient and quietly accepts all of
 * those. Errors say where (line and column) in our own words, without the library's hints.
 */
public final class StrictJson {
  private static final TypeAdapter<JsonElement> ELEMENT = new Gson().getAdapter(JsonElement.class);
  private static final Pattern WHERE = Pattern.compile("line (\\d+) column (\\d+)");

  /** The text is not one strict JSON value; the message says where. */
  public static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  private StrictJson() {}

  /**
   * The one JSON value in {@code text}.
   *
   * @throws Malformed when {@code text} is not exactly one strict JSON value
   */
  public static JsonElement parse(String text) throws Malformed {
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      if (reader.peek() == JsonToken.END_DOCUMENT) {
        throw new Malformed("empty input, expected a JSON value");
      }
      JsonElement value = ELEMENT.read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new Malformed("unexpected content after the JSON value " + where(reader.toString()));
      }
      return value;
    } catch (IOException | RuntimeException e) {
      // Gson reports syntax errors as IOExceptions (MalformedJsonException) and nesting or
      // number problems as runtime exceptions; all mean "not strict JSON".
      String message = String.valueOf(e.getMessage());
      if (message.contains("nesting")) {
        throw new Malformed("JSON nested too deeply " + where(message));
      }
      throw new Malformed("malformed JSON " + where(message));
    }
  }

  private static String where(String libraryMessage) {
    Matcher m = WHERE.matcher(libraryMessage);
    return m.find() ? "at line " + m.group(1) + " column " + m.group(2) : "(position unknown)";
  }
}
