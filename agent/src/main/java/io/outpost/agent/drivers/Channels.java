package io.outpost.agent.drivers;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The {@code channels} option of the ADC drivers (ADS1115, MCP3008). */
public final class Channels {
  private Channels() {}

  /**
   * Parses {@code "channels": {"name": "INPUT", …}} against the allowed inputs; shared with the
   * MCP3008.
   */
  public static Map<String, Integer> parse(Options o, Map<String, Integer> allowed, String example)
      throws ConfigException {
    if (!o.has("channels")) {
      throw new ConfigException(
          o.location(),
          "channels",
          "missing, expected an object such as {\"soil\": \"" + example + "\"}");
    }
    Options ch = o.object("channels");
    if (ch.asMap().isEmpty()) {
      throw new ConfigException(o.location(), "channels", "is empty, name at least one channel");
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String name : ch.asMap().keySet()) {
      if (name.isEmpty() || name.contains("/")) {
        throw new ConfigException(
            ch.location(), name, "a channel name must be non-empty and contain no '/'");
      }
      String input = ch.string(name).trim().toUpperCase(Locale.ROOT);
      Integer code = allowed.get(input);
      if (code == null) {
        throw new ConfigException(
            ch.location(),
            name,
            "\"" + ch.string(name) + "\" is not an input, expected one of " + allowed.keySet());
      }
      out.put(name, code);
    }
    return out;
  }
}
