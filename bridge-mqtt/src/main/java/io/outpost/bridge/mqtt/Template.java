package io.outpost.bridge.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A channel or topic template: literal text with {@code {deviceId}}, {@code {fleetId}}, {@code
 * {topic}} (the whole source topic or channel), {@code {1}}, {@code {2}}… (its levels, from 1) and,
 * for commands, {@code {name}}.
 */
record Template(String text, Set<String> allowedNames) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9]+)}");

  /** Parses {@code text}; throws with what is wrong (an unknown placeholder, a stray brace). */
  static Template parse(String text, Set<String> allowedNames) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("an empty template");
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder rest = new StringBuilder();
    int last = 0;
    while (m.find()) {
      rest.append(text, last, m.start());
      last = m.end();
      String name = m.group(1);
      if (!name.matches("[1-9][0-9]?") && !allowedNames.contains(name)) {
        throw new IllegalArgumentException(
            "unknown placeholder {"
                + name
                + "} (expected one of "
                + allowedNames.stream().sorted().map(n -> "{" + n + "}").toList()
                + " or a level {1}, {2}…)");
      }
    }
    rest.append(text.substring(last));
    if (rest.indexOf("{") >= 0 || rest.indexOf("}") >= 0) {
      throw new IllegalArgumentException("a '{' or '}' that is not part of a placeholder");
    }
    return new Template(text, Set.copyOf(allowedNames));
  }

  /** The highest level placeholder used ({@code {3}} → 3), 0 when none. */
  int maxLevel() {
    int max = 0;
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      if (m.group(1).matches("[0-9]+")) {
        max = Math.max(max, Integer.parseInt(m.group(1)));
      }
    }
    return max;
  }

  /**
   * Fills in the placeholders.
   *
   * @param vars named values ({@code deviceId}, {@code fleetId}, {@code topic}, {@code name})
   * @param levels the source's levels, {@code {1}} is {@code levels[0]}
   */
  String expand(Map<String, String> vars, String[] levels) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value;
      if (name.matches("[0-9]+")) {
        int i = Integer.parseInt(name) - 1;
        value = levels != null && i < levels.length ? levels[i] : "";
      } else {
        value = vars.getOrDefault(name, "");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The template split into '/' levels, for the loop check. */
  List<String> topicLevels() {
    return new ArrayList<>(List.of(text.split("/", -1)));
  }

  static boolean hasPlaceholder(String level) {
    return PLACEHOLDER.matcher(level).find();
  }

  /** Whether a level contains {@code {topic}}, which may expand to several levels. */
  static boolean spansLevels(String level) {
    return level.contains("{topic}");
  }

  @Override
  public String toString() {
    return text;
  }
}
