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
        (Map<String, Object>)
            Json.toJava(
                Json.parseWithComments(Files.readString(ROOT.resolve("config/agent.json"))));
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
