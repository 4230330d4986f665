package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where configuration comes from, in order: the main file, {@code agent.d/*.json} beside it in name
 * order, then {@code OUTPOST_…} environment variables. Each source that cannot be used is one
 * problem and is left out; the others are still read, so one broken drop-in hides nothing else.
 */
final class ConfigSources {
  /**
   * Environment variables that start with {@code OUTPOST_} but belong to the launcher, not to the
   * config.
   */
  static final Set<String> LAUNCHER_VARIABLES = Set.of("OUTPOST_JAVA_OPTS", "OUTPOST_HOME");

  private ConfigSources() {}

  /**
   * Merges the main file and its drop-ins into {@code tree}.
   *
   * @return whether the main file was read (without it, checking values would only add noise)
   */
  static boolean readFiles(Path main, ConfigTree tree, Problems problems) {
    boolean mainRead = readFile(main, tree, problems, true);
    Path dropIns = main.resolveSibling("agent.d");
    if (Files.isDirectory(dropIns)) {
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dropIns, "*.json")) {
        ds.forEach(files::add);
      } catch (IOException e) {
        problems.add(dropIns.toString(), "", "cannot list directory: " + e.getMessage());
      }
      files.sort(null);
      for (Path f : files) {
        readFile(f, tree, problems, false);
      }
    }
    return mainRead;
  }

  private static boolean readFile(Path f, ConfigTree tree, Problems problems, boolean main) {
    Object parsed;
    try {
      parsed = JsonFiles.read(f);
    } catch (NoSuchFileException e) {
      problems.add(
          f.toString(),
          "",
          main ? "no such file (give another with --config FILE)" : "no such file");
      return false;
    } catch (ConfigException e) {
      problems.add(e);
      return false;
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      problems.add(f.toString(), "", "expected a JSON object at the top level");
      return false;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = (Map<String, Object>) m;
    tree.merge(obj, f.toString());
    return true;
  }

  /**
   * Sets the key each {@code OUTPOST_…} variable names. Strings, paths, durations, sizes and
   * deadbands are taken literally; other kinds are JSON, and a list may also be comma-separated.
   *
   * @return false when a variable names no key or is not valid JSON for its key
   */
  static boolean applyEnvironment(Map<String, String> env, ConfigTree tree, Problems problems) {
    boolean allUsable = true;
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith("OUTPOST_") || LAUNCHER_VARIABLES.contains(name)) {
        continue;
      }
      String where = "environment variable " + name;
      var key = ConfigSchema.forEnv(name);
      if (key.isEmpty()) {
        allUsable = false;
        problems.add(
            where,
            "",
            "no such setting (each key has one, e.g. OUTPOST_DEVICE_ID for device.id; see docs/configuration.md)");
        continue;
      }
      ConfigSchema.Kind kind = key.get().kind();
      String raw = e.getValue();
      Object value;
      if (kind.literalInEnvironment()) {
        value = raw;
      } else {
        try {
          value = StrictJson.parse(raw);
        } catch (StrictJson.SyntaxError ex) {
          if (kind != ConfigSchema.Kind.STRING_LIST) {
            allUsable = false;
            problems.add(
                where,
                key.get().path(),
                "\"" + raw + "\" is not valid JSON for this " + kind.docName() + " key");
            continue;
          }
          // Comma-separated; empty entries ("a,,b", a trailing comma) are kept so the key's
          // check reports them.
          value = List.of(raw.split(",", -1));
        }
      }
      tree.set(key.get().path(), value, where);
    }
    return allUsable;
  }
}
