package io.outpost.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import io.outpost.agent.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusSnapshotTest {
  private static final Instant NOW = Instant.parse("2026-11-23T03:00:00Z");
  @TempDir Path dir;

  static StatusSnapshot snapshot() {
    Map<String, Boolean> outputs = new LinkedHashMap<>();
    outputs.put("pump", null);
    return new StatusSnapshot(
        "running",
        NOW,
        15_000,
        ProcessHandle.current().pid(),
        "pi-1",
        "greenhouses",
        "0.1.0",
        NOW.minusSeconds(90),
        new StatusSnapshot.Sampling(2, NOW.minusSeconds(1), 30_000),
        new StatusSnapshot.Store(3, true, null),
        new StatusSnapshot.LinkState("connected", true, NOW.minusSeconds(80)),
        new StatusSnapshot.UplinkState(NOW.minusSeconds(2)),
        135_000,
        Map.of("bridge-mqtt", "ok"),
        null,
        new StatusSnapshot.Report(
            Map.of("arch", "aarch64"),
            Map.of(),
            Map.of("messages", 3, "writable", true, "bytes", 900),
            Map.of("state", "connected", "connects", 1),
            Map.of("acked", 41, "lastAckAt", NOW.minusSeconds(2).toString()),
            List.of(Map.of("name", "env")),
            outputs,
            Map.of("received", 0)));
  }

  @Test
  void theStreamedFileIsWhatGsonsPrettyPrinterMakesOfTheSameParts() throws Exception {
    StatusSnapshot s = snapshot();
    Path file = dir.resolve("status.json");
    s.write(file);
    assertThat(Files.readString(file)).isEqualTo(gsonFile(s));
  }

  /** The file as it was made before it was streamed: Gson's tree of the parts, each widened. */
  private static String gsonFile(StatusSnapshot s) {
    Gson gson =
        new GsonBuilder()
            .disableHtmlEscaping()
            .serializeNulls()
            .setPrettyPrinting()
            .registerTypeAdapter(
                Instant.class,
                new TypeAdapter<Instant>() {
                  @Override
                  public void write(JsonWriter out, Instant value) throws IOException {
                    out.value(value.toString());
                  }

                  @Override
                  public Instant read(JsonReader in) {
                    throw new UnsupportedOperationException();
                  }
                }.nullSafe())
            .create();
    JsonObject o = gson.toJsonTree(s).getAsJsonObject();
    o.remove("report");
    widen(gson, o, "buffer", s.report().buffer());
    widen(gson, o, "link", s.report().link());
    widen(gson, o, "uplink", s.report().uplink());
    o.add("sensors", gson.toJsonTree(s.report().sensors()));
    if (!s.report().outputs().isEmpty()) {
      o.add("outputs", gson.toJsonTree(s.report().outputs()));
    }
    return gson.toJson(o) + "\n";
  }

  private static void widen(Gson gson, JsonObject o, String key, Map<String, Object> full) {
    JsonObject typed = o.getAsJsonObject(key);
    JsonObject merged = gson.toJsonTree(full).getAsJsonObject();
    typed.entrySet().forEach(e -> merged.add(e.getKey(), e.getValue()));
    o.add(key, merged);
  }

  @Test
  void theFileCarriesTheTypedPartsOverEachPartsFullReportAndReadsBack() throws Exception {
    Path file = dir.resolve("status.json");
    snapshot().write(file);
    JsonObject o = Json.parse(Files.readString(file)).getAsJsonObject();
    assertThat(o.getAsJsonObject("buffer").get("bytes").getAsInt()).isEqualTo(900);
    assertThat(o.getAsJsonObject("link").get("connected").getAsBoolean()).isTrue();
    assertThat(o.getAsJsonObject("link").get("connects").getAsInt()).isEqualTo(1);
    assertThat(o.getAsJsonObject("outputs").get("pump").isJsonNull()).isTrue();

    StatusSnapshot back = StatusSnapshot.read(file);
    StatusSnapshot original = snapshot();
    assertThat(back.report()).isNull();
    assertThat(back.sampling()).isEqualTo(original.sampling());
    assertThat(back.buffer()).isEqualTo(original.buffer());
    assertThat(back.link()).isEqualTo(original.link());
    assertThat(back.uplink()).isEqualTo(original.uplink());
    assertThat(back.services()).isEqualTo(original.services());
    assertThat(Health.check(file, NOW).problems()).isEmpty();
  }

  @Test
  void theStatusMessageIsBuiltFromTheSameSnapshot() {
    Map<String, Object> m = snapshot().toMessage();
    assertThat(m.keySet())
        .containsExactly(
            "device",
            "fleet",
            "agent",
            "image",
            "uptimeS",
            "buffer",
            "link",
            "sensors",
            "outputs",
            "commands",
            "services");
    assertThat(m.get("uptimeS")).isEqualTo(90L);
    assertThat(Json.toJson(m.get("link")).getAsJsonObject().keySet())
        .contains("state", "connects", "acked", "lastAckAt");
  }
}
