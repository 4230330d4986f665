package io.outpost.agent.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Masks secrets in the resolved config before it is printed ({@code outpost check}) or sent ({@code
 * config.get}): inline tokens, publishable keys, bearer values and HMAC secrets.
 */
public final class Redactor {
  /** What a secret is replaced with. */
  public static final String MASK = "<redacted>";

  private static final Set<String> SECRET_KEYS = Set.of("value", "key", "secret");

  private Redactor() {}

  /** A deep copy of {@code tree} with every secret masked. */
  public static Map<String, Object> redact(Map<String, Object> tree) {
    return copy(tree, "");
  }

  static Object maskIfString(Object v) {
    return v instanceof String ? MASK : v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> copy(Map<String, Object> node, String path) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : node.entrySet()) {
      String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      Object v = e.getValue();
      boolean secretContext = p.startsWith("network.token") || p.startsWith("commands.keys");
      if (v instanceof Map<?, ?> m) {
        out.put(e.getKey(), copy((Map<String, Object>) m, p));
      } else if (secretContext && SECRET_KEYS.contains(e.getKey())) {
        out.put(e.getKey(), MASK);
      } else if (p.equals("network.token") || (v instanceof List<?> && secretContext)) {
        out.put(e.getKey(), v instanceof List<?> ? v : MASK);
      } else {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }
}
