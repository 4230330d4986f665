package io.outpost.agent.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.TestSensorContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * DRIVERS.md stays true: every driver has a section, and every sample configuration in it is
 * accepted.
 */
class DriversDocTest {
  private static final Pattern JSON_BLOCK =
      Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL);

  @Test
  @SuppressWarnings("unchecked")
  void everyDriverIsDocumentedAndEverySampleConfigIsValid() throws Exception {
    String doc = Files.readString(Path.of("DRIVERS.md"));
    List<String> headings = doc.lines().filter(l -> l.startsWith("## ")).toList();
    Map<String, SensorFactory> factories = new LinkedHashMap<>();
    Drivers.all().forEach(f -> factories.put(f.type(), f));
    for (String type : factories.keySet()) {
      assertThat(headings)
          .as("a DRIVERS.md section for " + type)
          .anySatisfy(h -> assertThat(h.substring(3).split(" / ")).contains(type));
    }
    List<String> checked = new ArrayList<>();
    Matcher m = JSON_BLOCK.matcher(doc);
    while (m.find()) {
      Map<String, Object> entry = new Gson().fromJson(m.group(1), LinkedHashMap.class);
      SensorFactory f = factories.get((String) entry.get("type"));
      if (f == null) {
        continue; // e.g. the output.set command example
      }
      Map<String, Object> options = new LinkedHashMap<>();
      entry.forEach(
          (k, v) ->
              options.put(
                  k, v instanceof Double d && d == Math.rint(d) ? (Object) d.longValue() : v));
      SensorSetup.AGENT_KEYS.forEach(options::remove);
      f.create(TestSensorContext.builder((String) entry.get("name")).options(options).build())
          .close();
      checked.add(f.type());
    }
    assertThat(checked)
        .containsAll(factories.keySet().stream().filter(t -> !t.equals("bmp280")).toList());
  }
}
