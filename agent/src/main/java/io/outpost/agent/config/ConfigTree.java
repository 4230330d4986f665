package io.outpost.agent.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration merged from every source, plus, for every path, the file or variable that set
 * it last (for messages). Objects merge key by key, other values replace, {@code null} removes.
 */
final class ConfigTree {
  final Map<String, Object> root = new LinkedHashMap<>();
  private final Map<String, String> origins = new TreeMap<>();
  private String mainFile;

  void merge(Map<String, Object> overlay, String source) {
    if (mainFile == null) {
      mainFile = source;
    }
    mergeInto(root, overlay, "", source);
  }

  @SuppressWarnings("unchecked")
  private void mergeInto(
      Map<String, Object> base, Map<String, Object> overlay, String prefix, String source) {
    for (Map.Entry<String, Object> e : overlay.entrySet()) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      Object v = e.getValue();
      Object existing = base.get(e.getKey());
      // A token source is replaced whole, so switching from "file" to "command" leaves no mix.
      boolean replaceWhole =
          ConfigSchema.key(path).map(k -> k.kind() == ConfigSchema.Kind.TOKEN).orElse(false);
      if (v == null) {
        base.remove(e.getKey());
      } else if (!replaceWhole && v instanceof Map<?, ?> vm && existing instanceof Map<?, ?> em) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) em);
        mergeInto(copy, (Map<String, Object>) vm, path, source);
        base.put(e.getKey(), copy);
      } else {
        base.put(e.getKey(), v);
      }
      origins.put(path, source);
    }
  }

  @SuppressWarnings("unchecked")
  void set(String path, Object value, String source) {
    String[] segs = path.split("\\.");
    Map<String, Object> node = root;
    for (int i = 0; i < segs.length - 1; i++) {
      Object child = node.get(segs[i]);
      child =
          child instanceof Map
              ? new LinkedHashMap<>((Map<String, Object>) child)
              : new LinkedHashMap<String, Object>();
      node.put(segs[i], child);
      node = (Map<String, Object>) child;
    }
    node.put(segs[segs.length - 1], value);
    origins.put(path, source);
  }

  @SuppressWarnings("unchecked")
  Object get(String path) {
    Object node = root;
    for (String seg : path.split("\\.")) {
      if (!(node instanceof Map)) {
        return null;
      }
      node = ((Map<String, Object>) node).get(seg);
    }
    return node;
  }

  Map<String, String> originsWithMain() {
    Map<String, String> m = new TreeMap<>(origins);
    m.put("", mainFile == null ? "" : mainFile);
    return m;
  }

  String origin(String path) {
    return AgentConfig.nearestOrigin(origins, path, mainFile == null ? "" : mainFile);
  }
}
