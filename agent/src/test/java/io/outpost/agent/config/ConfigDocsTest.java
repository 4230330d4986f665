package io.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.TestConfigs;
import io.outpost.agent.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps docs/configuration.md, config/agent.json, config/examples and the schema in step. */
class ConfigDocsTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  @TempDir Path dir;

  private static String docs() throws Exception {
    return Files.readString(ROOT.resolve("docs/configuration.md"));
  }

  @SuppressWarnings("unchecked")
  private static void leafKeys(String prefix, Map<String, Object> node, List<String> out) {
    for (Map.Entry<String, Object> e : node.entrySet()) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      var key = ConfigSchema.key(path);
      if (key.isEmpty() && e.getValue() instanceof Map<?, ?> m) {
        leafKeys(path, (Map<String, Object>) m, out);
      } else {
        out.add(path);
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyKeyOfTheDefaultConfigIsDocumented() throws Exception {
    Map<String, Object> shipped =
        (Map<String, Object>) StrictJson.parse(Files.readString(ROOT.resolve("config/agent.json")));
    List<String> keys = new ArrayList<>();
    leafKeys("", shipped, keys);
    assertThat(keys).hasSizeGreaterThan(30);
    String docs = docs();
    for (String k : keys) {
      assertThat(docs).as("docs/configuration.md documents %s", k).contains("| `" + k + "` |");
    }
  }

  @Test
  void everySchemaKeyIsDocumentedWithItsEnvironmentVariableRule() throws Exception {
    String docs = docs();
    for (ConfigSchema.Key k : ConfigSchema.keys()) {
      assertThat(docs)
          .as("docs/configuration.md documents %s", k.path())
          .contains("| `" + k.path() + "` |");
    }
  }

  /**
   * The key tables are the catalogue's own rows. Run with {@code -Doutpost.writeDocs=true} to
   * rewrite them from {@link ConfigSchema} after changing a key.
   */
  @Test
  void everyKeyTableRowIsTheCataloguesRowWithTypeDefaultRangeAndDoc() throws Exception {
    Path file = ROOT.resolve("docs/configuration.md");
    String docs = docs();
    String oldHeader = "| Key | Type | Default | Meaning |\n|---|---|---|---|";
    StringBuilder rewritten = new StringBuilder();
    for (String line : docs.replace(oldHeader, ConfigSchema.TABLE_HEADER).split("\n", -1)) {
      String row = line;
      for (ConfigSchema.Key k : ConfigSchema.keys()) {
        if (isKeyRow(line, k)) {
          row = k.markdownRow();
        }
      }
      rewritten.append(row).append('\n');
    }
    String expected = rewritten.substring(0, rewritten.length() - 1);
    if (Boolean.getBoolean("outpost.writeDocs")) {
      Files.writeString(file, expected);
      docs = expected;
    }
    for (ConfigSchema.Key k : ConfigSchema.keys()) {
      assertThat(docs.lines().filter(l -> isKeyRow(l, k)))
          .as("docs/configuration.md has exactly the catalogue's row for %s", k.path())
          .containsExactly(k.markdownRow());
    }
    assertThat(docs).isEqualTo(expected);
  }

  /** A row of a key table (not of the environment variable table). */
  private static boolean isKeyRow(String line, ConfigSchema.Key k) {
    String start = "| `" + k.path() + "` | ";
    return line.startsWith(start) && !line.startsWith(start + "`OUTPOST_");
  }

  /** config/agent.json states the defaults: every value in it is the catalogue's default. */
  @Test
  @SuppressWarnings("unchecked")
  void theShippedConfigHoldsExactlyTheCataloguesDefaults() throws Exception {
    Map<String, Object> shipped =
        (Map<String, Object>) StrictJson.parse(Files.readString(ROOT.resolve("config/agent.json")));
    List<String> paths = new ArrayList<>();
    leafKeys("", shipped, paths);
    ConfigTree tree = new ConfigTree();
    tree.merge(shipped, "config/agent.json");
    for (String path : paths) {
      ConfigSchema.Key k = ConfigSchema.key(path).orElseThrow();
      if (k.def() == null) {
        // No default (network.token): the shipped file gives the usual setting.
        continue;
      }
      assertThat(comparable(k.read(tree.get(path), "config/agent.json")))
          .as("config/agent.json sets %s to its default %s", path, k.defaultText())
          .isEqualTo(comparable(k.read(null, "default")));
    }
    for (ConfigSchema.Key k : ConfigSchema.keys()) {
      if (k.def() != null && k.docDefault() == null) {
        assertThat(paths)
            .as("config/agent.json states the default of %s", k.path())
            .contains(k.path());
      }
    }
  }

  private static Object comparable(Object typed) {
    return typed instanceof double[] d ? java.util.Arrays.toString(d) : typed;
  }

  @Test
  void everyShippedExampleIsValid() throws Exception {
    List<Path> examples;
    try (Stream<Path> s = Files.list(ROOT.resolve("config/examples"))) {
      examples = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(examples).isNotEmpty();
    for (Path example : examples) {
      Path copy = TestConfigs.write(dir, "agent.json", Files.readString(example));
      try {
        // Profile paths in examples point at a device's /etc; only the agent config is checked
        // here.
        AgentConfig c = TestConfigs.loader(Map.of()).load(copy, true);
        assertThat(c.deviceId()).isNotBlank();
      } catch (ConfigInvalidException e) {
        throw new AssertionError(example + " is invalid:\n" + e.getMessage(), e);
      }
    }
    Path dropIn = ROOT.resolve("config/examples/agent.d/50-fast-counter.json");
    TestConfigs.write(dir, "agent.d/50-fast-counter.json", Files.readString(dropIn));
    AgentConfig merged =
        TestConfigs.loader(Map.of())
            .load(
                TestConfigs.write(
                    dir, "agent.json", Files.readString(ROOT.resolve("config/agent.json"))),
                true);
    assertThat(merged.sensorOverrides()).containsKey("ctr");
    assertThat(TestConfigs.sensors(merged))
        .anySatisfy(s -> assertThat(s.spec().interval().toMillis()).isEqualTo(20));
  }

  @Test
  void commentsAreAllowedOutsideStrings() {
    assertThat(
            Json.parseWithComments(
                    """
        // leading
        {"a": "http://x//y", /* block */ "b": 1} // trailing
        """)
                .toString())
        .isEqualTo("{\"a\":\"http://x//y\",\"b\":1}");
  }
}
