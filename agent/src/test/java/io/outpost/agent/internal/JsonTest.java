package io.outpost.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.internal.LazilyParsedNumber;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  // What the agent wrote its JSON with before Json had its own tree writer.
  private static final Gson COMPACT =
      new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
  private static final Gson PRETTY =
      new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();

  private static final String AWKWARD =
      "<>&='\"\\/\n\r\t\b\f\u0000\u001f\u007f é ✓ \u2028\u2029 😀";

  private static JsonObject tree() {
    JsonObject o = new JsonObject();
    o.addProperty("text", AWKWARD);
    o.addProperty(AWKWARD, "key with escapes");
    o.add("null", JsonNull.INSTANCE);
    o.addProperty("int", 1);
    o.addProperty("double", 1.0);
    o.addProperty("big", 1e20);
    o.addProperty("small", -2.5e-7);
    o.addProperty("long", Long.MIN_VALUE);
    o.add("bigInteger", new JsonPrimitive(new BigInteger("123456789012345678901234567890")));
    o.add("bigDecimal", new JsonPrimitive(new BigDecimal("1.50")));
    o.add("parsed", new JsonPrimitive(new LazilyParsedNumber("1.0e+3")));
    o.addProperty("yes", true);
    o.addProperty("no", false);
    o.addProperty("char", '<');
    o.add("emptyObject", new JsonObject());
    o.add("emptyArray", new JsonArray());
    JsonArray a = new JsonArray();
    a.add(JsonNull.INSTANCE);
    a.add(3);
    a.add("three");
    JsonObject inner = new JsonObject();
    inner.add("gone", JsonNull.INSTANCE);
    inner.add("list", a.deepCopy());
    a.add(inner);
    JsonArray nested = new JsonArray();
    nested.add(new JsonArray());
    a.add(nested);
    o.add("array", a);
    return o;
  }

  @Test
  void writesTreesAsGsonDoes() {
    JsonObject t = tree();
    assertThat(Json.write(t)).isEqualTo(COMPACT.toJson(t));
    assertThat(Json.write(t)).contains("\"null\":null", "\"text\":\"<>&='");
  }

  @Test
  void prettyPrintsAsGsonDoesLeavingNullMembersOut() {
    JsonObject t = tree();
    assertThat(Json.pretty(t)).isEqualTo(PRETTY.toJson(t));
    assertThat(Json.pretty(t)).contains("\n  \"int\": 1,\n").doesNotContain("\"gone\"");
    JsonElement empty = new JsonObject();
    assertThat(Json.pretty(empty)).isEqualTo(PRETTY.toJson(empty)).isEqualTo("{}");
  }

  @Test
  void writesSingleValuesAsGsonDoes() {
    for (JsonElement e :
        List.of(
            JsonNull.INSTANCE,
            new JsonPrimitive(0),
            new JsonPrimitive(-0.0),
            new JsonPrimitive(AWKWARD),
            new JsonPrimitive(""),
            new JsonArray())) {
      assertThat(Json.write(e)).isEqualTo(COMPACT.toJson(e));
      assertThat(Json.pretty(e)).isEqualTo(PRETTY.toJson(e));
    }
    assertThat(Json.write(null)).isEqualTo(COMPACT.toJson((JsonElement) null)).isEqualTo("null");
  }

  @Test
  void quotesStringsAsGsonDoes() {
    assertThat(Json.quote(AWKWARD)).isEqualTo(COMPACT.toJson(AWKWARD));
    assertThat(Json.quote("outpost-1")).isEqualTo("\"outpost-1\"");
    assertThat(Json.quote(null)).isEqualTo(COMPACT.toJson((Object) null)).isEqualTo("null");
  }

  @Test
  void nonFiniteNumbersInATreeAreWrittenAsGsonWritesThem() {
    JsonObject o = new JsonObject();
    o.addProperty("nan", Double.NaN);
    o.addProperty("inf", Double.NEGATIVE_INFINITY);
    assertThat(Json.write(o))
        .isEqualTo(COMPACT.toJson(o))
        .isEqualTo("{\"nan\":NaN,\"inf\":-Infinity}");
  }

  @Test
  void plainJavaValuesRoundTripThroughTheWriter() {
    assertThat(Json.write(Json.toJson(5.0))).isEqualTo("5"); // whole doubles lose their ".0"
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("n", 5L);
    m.put("list", List.of("a", 2L, true));
    m.put("none", null);
    String text = Json.write(Json.toJson(m));
    assertThat(text).isEqualTo("{\"n\":5,\"list\":[\"a\",2,true],\"none\":null}");
    assertThat(Json.toJava(Json.parse(text))).isEqualTo(m);
  }
}
