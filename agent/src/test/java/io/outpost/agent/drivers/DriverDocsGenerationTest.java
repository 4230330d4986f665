package io.outpost.agent.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.outputs.Outputs;
import io.outpost.agent.profiles.SensorSetup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each driver declares its options once ({@link Driver#options()}); the profile schema's per-type
 * fragments and agent/DRIVERS.md (sections from each driver package's {@code README.md}, options
 * tables from the declarations) are generated from them. This test fails when a checked-in file
 * drifts; {@code -Doutpost.regenerate=true} rewrites both files instead.
 */
class DriverDocsGenerationTest {
  private static final Path SCHEMA = Path.of("../device-profiles/profile.schema.json");
  private static final Path DOC = Path.of("DRIVERS.md");
  private static final Path SOURCES = Path.of("src/main/java");
  private static final List<String> AGENT_KEYS =
      List.of(
          "name",
          "type",
          "interval",
          "deadband",
          "minInterval",
          "maxInterval",
          "readTimeout",
          "simulate");
  private static final Pattern MARKER = Pattern.compile("(?m)^<!-- options: ([a-z0-9-]+) -->$");
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  private static final boolean REGENERATE = Boolean.getBoolean("outpost.regenerate");

  private final List<Driver> drivers = Drivers.declared(new Outputs());

  @Test
  void agentKeysAreTheSetupsKeys() {
    assertThat(AGENT_KEYS).containsExactlyInAnyOrderElementsOf(SensorSetup.AGENT_KEYS);
  }

  @Test
  void profileSchemaFragmentsComeFromTheDeclarations() throws Exception {
    String text = Files.readString(SCHEMA, StandardCharsets.UTF_8);
    JsonObject schema = GSON.fromJson(text, JsonObject.class);
    JsonObject sensor = schema.getAsJsonObject("$defs").getAsJsonObject("sensor");
    JsonArray allOf = new JsonArray();
    for (Driver d : drivers) {
      allOf.add(fragment(d));
    }
    sensor.add("allOf", allOf);
    sensor
        .getAsJsonObject("properties")
        .getAsJsonObject("type")
        .addProperty(
            "description",
            "A built-in driver ("
                + drivers.stream().map(Driver::type).collect(Collectors.joining(", "))
                + ") or a plugin's type.");
    String expected = GSON.toJson(schema) + "\n";
    if (REGENERATE) {
      Files.writeString(SCHEMA, expected, StandardCharsets.UTF_8);
    }
    assertThat(text)
        .as(SCHEMA + " drifted from the drivers' declared options; regenerate with " + HOW)
        .isEqualTo(expected);
  }

  @Test
  void driversDocIsAssembledFromThePackagesAndTheDeclarations() throws Exception {
    String expected = driversDoc();
    if (REGENERATE) {
      Files.writeString(DOC, expected, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as(DOC + " drifted from the driver packages' README.md or options; regenerate with " + HOW)
        .isEqualTo(expected);
  }

  private static final String HOW =
      "./mvnw -o -q test -pl agent -am -Dtest=DriverDocsGenerationTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Doutpost.regenerate=true";

  private String driversDoc() throws Exception {
    Map<String, Driver> byType = new LinkedHashMap<>();
    drivers.forEach(d -> byType.put(d.type(), d));
    List<Path> packages = new ArrayList<>();
    for (Driver d : drivers) {
      Path dir = SOURCES.resolve(d.getClass().getPackageName().replace('.', '/'));
      if (!packages.contains(dir)) {
        packages.add(dir);
      }
    }
    List<String> sections = new ArrayList<>();
    for (Path dir : packages) {
      String section = Files.readString(dir.resolve("README.md"), StandardCharsets.UTF_8).strip();
      Matcher m = MARKER.matcher(section);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        Driver d = byType.get(m.group(1));
        assertThat(d).as("driver for marker " + m.group()).isNotNull();
        m.appendReplacement(out, Matcher.quoteReplacement(table(d)));
      }
      m.appendTail(out);
      sections.add(out.toString());
    }
    String contents =
        sections.stream()
            .map(s -> s.lines().findFirst().orElseThrow().substring(3))
            .map(h -> "[" + h + "](#" + anchor(h) + ")")
            .collect(Collectors.joining(" ·\n"));
    String preamble =
        Files.readString(SOURCES.resolve("io/outpost/agent/drivers/README.md"))
            .strip()
            .replace("<!-- contents -->", "Contents: " + contents);
    return "<!-- Generated by DriverDocsGenerationTest from agent/src/main/java/io/outpost/agent/"
        + "drivers/**/README.md and the drivers' declared options: edit those. -->\n\n"
        + preamble
        + "\n\n---\n\n"
        + String.join("\n\n---\n\n", sections)
        + "\n";
  }

  private static String anchor(String heading) {
    return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
  }

  /** The options table of one driver. */
  static String table(Driver d) {
    StringBuilder b =
        new StringBuilder(
            "<!-- options: "
                + d.type()
                + " -->\n| Key | Default | Allowed | Meaning |\n|---|---|---|---|");
    for (DriverOption o : d.options().list()) {
      b.append("\n| `")
          .append(o.name())
          .append("` | ")
          .append(
              o.defaultText().isEmpty()
                      || o.defaultText().startsWith("\"")
                      || Character.isDigit(o.defaultText().charAt(0))
                      || o.defaultText().equals("true")
                      || o.defaultText().equals("false")
                  ? (o.defaultText().isEmpty() ? "" : "`" + o.defaultText() + "`")
                  : o.defaultText())
          .append(" | ")
          .append(allowed(o))
          .append(" | ")
          .append(o.doc())
          .append(" |");
    }
    return b.toString();
  }

  private static String allowed(DriverOption o) {
    if (!o.allowed().isEmpty()) {
      return o.allowed().stream()
          .map(
              v ->
                  o.kind().equals("address")
                      ? DriverOption.hex(((Number) v).intValue())
                      : v instanceof String s ? "`" + s + "`" : String.valueOf(v))
          .collect(Collectors.joining(", "));
    }
    return switch (o.kind()) {
      case "integer" -> o.min() + ".." + o.max();
      case "number" ->
          "> "
              + DriverOption.plain(o.min().doubleValue())
              + ", ≤ "
              + DriverOption.plain(o.max().doubleValue());
      case "duration" -> "≤ " + (o.max().longValue() / 1000) + "s";
      case "boolean" -> "`true`, `false`";
      case "string" -> o.pattern() == null ? "text" : "matches `" + o.pattern() + "`";
      default -> o.kind();
    };
  }

  /** The {@code allOf} entry of the profile schema for one driver. */
  static JsonObject fragment(Driver d) {
    JsonObject props = new JsonObject();
    JsonArray required = new JsonArray();
    for (DriverOption o : d.options().list()) {
      props.add(o.name(), property(o));
      if (o.required()) {
        required.add(o.name());
      }
    }
    JsonArray names = new JsonArray();
    AGENT_KEYS.forEach(names::add);
    d.options().names().forEach(names::add);
    JsonObject then = new JsonObject();
    then.add("properties", props);
    JsonObject pn = new JsonObject();
    pn.add("enum", names);
    then.add("propertyNames", pn);
    if (!required.isEmpty()) {
      then.add("required", required);
    }
    JsonObject type = new JsonObject();
    type.addProperty("const", d.type());
    JsonObject ifProps = new JsonObject();
    ifProps.add("type", type);
    JsonObject cond = new JsonObject();
    cond.add("properties", ifProps);
    JsonArray req = new JsonArray();
    req.add("type");
    cond.add("required", req);
    JsonObject f = new JsonObject();
    f.add("if", cond);
    f.add("then", then);
    return f;
  }

  private static JsonObject property(DriverOption o) {
    JsonObject p = new JsonObject();
    switch (o.kind()) {
      case "address" -> {
        p.addProperty("$ref", "#/$defs/address");
        JsonArray anyOf = new JsonArray();
        JsonObject numbers = new JsonObject();
        numbers.add("enum", array(o.allowed()));
        anyOf.add(numbers);
        JsonObject hex = new JsonObject();
        hex.addProperty("type", "string");
        hex.addProperty(
            "pattern",
            "^0[xX]("
                + o.allowed().stream()
                    .map(v -> hexPattern(((Number) v).intValue()))
                    .collect(Collectors.joining("|"))
                + ")$");
        anyOf.add(hex);
        p.add("anyOf", anyOf);
      }
      case "duration" -> p.addProperty("$ref", "#/$defs/duration");
      default -> {
        if (!o.allowed().isEmpty()) {
          p.add("enum", array(o.allowed()));
        } else {
          p.addProperty("type", o.kind());
          if (o.kind().equals("number")) {
            p.addProperty("exclusiveMinimum", o.min());
            p.addProperty("maximum", o.max());
          } else if (o.min() != null) {
            p.addProperty("minimum", o.min());
            p.addProperty("maximum", o.max());
          }
          if (o.pattern() != null) {
            p.addProperty("pattern", o.pattern());
          }
        }
      }
    }
    String def =
        o.defaultText().isEmpty() ? "" : " Default: " + o.defaultText().replace("`", "") + ".";
    p.addProperty("description", capitalized(o.doc().replace("`", "")) + "." + def);
    return p;
  }

  private static String capitalized(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static JsonArray array(List<?> values) {
    JsonArray a = new JsonArray();
    for (Object v : values) {
      JsonElement e = GSON.toJsonTree(v);
      a.add(e);
    }
    return a;
  }

  private static String hexPattern(int address) {
    StringBuilder b = new StringBuilder();
    for (char c : String.format(Locale.ROOT, "%02x", address).toCharArray()) {
      b.append(
          Character.isLetter(c) ? "[" + Character.toUpperCase(c) + c + "]" : String.valueOf(c));
    }
    return b.toString();
  }
}
