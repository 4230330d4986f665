package io.outpost.bench.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags and environment the launchers give agent commands, read from the launcher scripts
 * themselves so the benchmark measures exactly what ships. Both launchers (the repository's {@code
 * outpost} and the package's {@code dist/src/deb/bin/outpost}) must define the same {@code
 * AGENT_JAVA_OPTS="…"} and {@code AGENT_MALLOC_ARENA_MAX=…} lines; a difference is an error.
 */
record LauncherFlags(List<String> jvmFlags, Map<String, String> env) {
  private static final Pattern OPTS = Pattern.compile("(?m)^\\s*AGENT_JAVA_OPTS=\"([^\"]*)\"");
  private static final Pattern ARENAS = Pattern.compile("(?m)^\\s*AGENT_MALLOC_ARENA_MAX=(\\d+)");

  /** Reads both launchers under {@code root} (the repository root) and checks they agree. */
  static LauncherFlags read(Path root) throws IOException {
    LauncherFlags repo = parse(root.resolve("outpost"));
    LauncherFlags deb = parse(root.resolve("dist/src/deb/bin/outpost"));
    if (!repo.equals(deb)) {
      throw new IOException(
          "the launchers disagree: outpost has " + repo + ", dist/src/deb/bin/outpost has " + deb);
    }
    return repo;
  }

  static LauncherFlags parse(Path script) throws IOException {
    String text = Files.readString(script);
    Matcher m = OPTS.matcher(text);
    if (!m.find()) {
      throw new IOException(script + " has no AGENT_JAVA_OPTS=\"…\" line");
    }
    List<String> flags = new ArrayList<>(List.of(m.group(1).trim().split("\\s+")));
    Map<String, String> env = new LinkedHashMap<>();
    Matcher a = ARENAS.matcher(text);
    if (a.find()) {
      env.put("MALLOC_ARENA_MAX", a.group(1));
    }
    return new LauncherFlags(List.copyOf(flags), Map.copyOf(env));
  }
}
