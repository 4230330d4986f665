package io.outpost.bridge.mqtt;

import java.util.List;

/**
 * An MQTT topic filter ({@code +} one level, {@code #} the rest), validated as MQTT 3.1.1 §4.7
 * requires. {@link #match} returns the topic's levels so templates can refer to them as {@code
 * {1}}, {@code {2}}…
 */
record TopicFilter(String text, String[] levels) {

  /** Parses {@code text}, or returns why it is not a valid filter. */
  static TopicFilter parse(String text) {
    String why = invalid(text);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    return new TopicFilter(text, text.split("/", -1));
  }

  /** Why {@code text} is not a valid topic filter, or null. */
  static String invalid(String text) {
    if (text == null || text.isEmpty()) {
      return "an empty topic filter";
    }
    if (text.indexOf('\0') >= 0) {
      return "a topic filter may not contain NUL";
    }
    String[] parts = text.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.contains("#") && (!p.equals("#") || i != parts.length - 1)) {
        return "'#' must be a whole level and the last one (e.g. \"sensors/#\")";
      }
      if (p.contains("+") && !p.equals("+")) {
        return "'+' must be a whole level (e.g. \"sensors/+/temp\")";
      }
    }
    return null;
  }

  /** Why {@code topic} is not a valid topic name to publish to, or null. */
  static String invalidTopic(String topic) {
    if (topic == null || topic.isEmpty()) {
      return "an empty topic";
    }
    if (topic.contains("+") || topic.contains("#")) {
      return "a topic to publish to may not contain '+' or '#'";
    }
    if (topic.indexOf('\0') >= 0) {
      return "a topic may not contain NUL";
    }
    if (topic.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 65_535) {
      return "a topic longer than 65535 bytes";
    }
    return null;
  }

  /** The topic's levels when it matches, else null. */
  String[] match(String topic) {
    // Topics starting with '$' are not matched by a leading wildcard (MQTT 3.1.1 §4.7.2).
    if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
      return null;
    }
    String[] t = topic.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      if (levels[i].equals("#")) {
        return t;
      }
      if (i >= t.length || !levels[i].equals("+") && !levels[i].equals(t[i])) {
        return null;
      }
    }
    return t.length == levels.length ? t : null;
  }

  /**
   * Whether some topic produced by {@code template} (whose placeholders can be any text) could
   * match this filter: the loop check at configuration time.
   */
  boolean mayMatch(Template template) {
    return overlap(List.of(levels), 0, template.topicLevels(), 0);
  }

  private static boolean overlap(List<String> f, int i, List<String> t, int j) {
    if (i == f.size()) {
      return j == t.size() || t.subList(j, t.size()).stream().allMatch(Template::spansLevels);
    }
    if (f.get(i).equals("#")) {
      return true;
    }
    if (j == t.size()) {
      return false;
    }
    String level = t.get(j);
    if (Template.spansLevels(level)) {
      // {topic} may stand for any number of levels (at least one).
      for (int k = i + 1; k <= f.size(); k++) {
        if (overlap(f, k, t, j + 1)) {
          return true;
        }
      }
      return false;
    }
    boolean levelOk =
        f.get(i).equals("+") || Template.hasPlaceholder(level) || f.get(i).equals(level);
    return levelOk && overlap(f, i + 1, t, j + 1);
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicFilter f && f.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
