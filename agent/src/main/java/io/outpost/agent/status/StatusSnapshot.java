package io.outpost.agent.status;

import com.google.gson.FormattingStyle;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.outpost.agent.internal.IsoInstant;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One look at the running agent, taken once and used three ways: the {@code status} message ({@link
 * #toMessage()}), the runtime status file ({@link #write(Path)}) and {@code outpost health} ({@link
 * #read(Path)}, then {@link Health}). The typed parts are what health judges; {@link Report} is
 * what each part says about itself, in full, for people and the fleet.
 *
 * @param state {@code running} or {@code stopped}
 * @param credentialProblem why the configured credential cannot be used, or null when it can (or
 *     the agent cannot tell without using it, e.g. a token command)
 * @param services each plugin service's health word, null when the agent runs none
 * @param report null when read back from the file (health needs only the typed parts)
 */
public record StatusSnapshot(
    String state,
    Instant writtenAt,
    long staleAfterMs,
    long pid,
    String device,
    String fleet,
    String version,
    Instant startedAt,
    Sampling sampling,
    Store buffer,
    LinkState link,
    UplinkState uplink,
    long ackExpectedWithinMs,
    Map<String, String> services,
    String credentialProblem,
    Report report) {

  /** Whether sensors are read: how many, the last success, and how often one must succeed. */
  public record Sampling(int sensors, Instant lastReadAt, long expectedWithinMs) {}

  /** The outbox: messages waiting, and whether it can still take more. */
  public record Store(long messages, boolean writable, String lastError) {}

  /** The link's state word ({@code connected}, {@code reconnecting}, …) and since when it is up. */
  public record LinkState(String state, boolean connected, Instant connectedAt) {}

  /** When the server last acked a publish of this process, null if never. */
  public record UplinkState(Instant lastAckAt) {}

  /** What each part reports about itself, as the status message carries it. */
  public record Report(
      Map<String, Object> image,
      Map<String, Object> metadata,
      Map<String, Object> buffer,
      Map<String, Object> link,
      Map<String, Object> uplink,
      List<Map<String, Object>> sensors,
      Map<String, Boolean> outputs,
      Map<String, Object> commands) {}

  /**
   * Gson with reflection, for reading a status file back ({@code outpost health}) and for values
   * {@link #value} has no case for. Built on first use, not with the class: the running agent
   * writes the file every few seconds without it, and building it loads about a hundred classes
   * (docs/performance.md, "Memory").
   */
  private static final class Reflective {
    // Nulls are written, not dropped: "lastReadAt": null and an output that is not running
    // ("pump": null) say something that an absent key would not.
    static final Gson GSON =
        new GsonBuilder()
            .disableHtmlEscaping()
            .serializeNulls()
            .registerTypeAdapter(Instant.class, new InstantAdapter().nullSafe())
            .create();
  }

  /** The body of the {@code status} message (protocol.md), without its {@code type}. */
  public Map<String, Object> toMessage() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("device", device);
    s.put("fleet", fleet);
    s.put("agent", Map.of("version", version));
    s.put("image", report.image());
    s.put("uptimeS", Duration.between(startedAt, writtenAt).toSeconds());
    if (!report.metadata().isEmpty()) {
      s.put("metadata", report.metadata());
    }
    s.put("buffer", report.buffer());
    Map<String, Object> l = new LinkedHashMap<>(report.link());
    l.putAll(report.uplink());
    s.put("link", l);
    s.put("sensors", report.sensors());
    if (!report.outputs().isEmpty()) {
      s.put("outputs", report.outputs());
    }
    s.put("commands", report.commands());
    if (services != null) {
      s.put("services", services);
    }
    return s;
  }

  /**
   * Writes the status file atomically (a temp file in the same directory, then rename), so {@code
   * outpost health} never reads half a file. Each typed part is written over its part's full
   * report, so the file carries both.
   *
   * <p>Streamed field by field, not through Gson's reflection and a JSON tree: the agent rewrites
   * the file every few seconds, and that way cost it about 2.7 ms of CPU each time on a JVM that
   * compiles little (docs/performance.md, "Peers"). The output is what Gson's pretty printer makes
   * of the same parts (StatusSnapshotTest compares them).
   */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    // Only when missing: createDirectories on an existing directory first tries to create it and
    // builds (and catches) a FileAlreadyExistsException with its stack trace, every write.
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
    }
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    // Built in memory and written with one call: a buffered writer over the file's stream went
    // through a charset encoder, a buffer and a flush per layer for a few hundred bytes.
    StringWriter text = new StringWriter(2048);
    JsonWriter out = new JsonWriter(text);
    // The pretty style as a constant: setIndent("  ") builds a new style and checks its indent
    // against a regular expression, every write.
    out.setFormattingStyle(FormattingStyle.PRETTY);
    out.setSerializeNulls(true);
    writeTo(out);
    out.flush();
    text.write('\n');
    Files.write(tmp, text.toString().getBytes(StandardCharsets.UTF_8));
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void writeTo(JsonWriter out) throws IOException {
    out.beginObject();
    out.name("state").value(state);
    out.name("writtenAt");
    value(out, writtenAt);
    out.name("staleAfterMs").value(staleAfterMs);
    out.name("pid").value(pid);
    out.name("device").value(device);
    out.name("fleet").value(fleet);
    out.name("version").value(version);
    out.name("startedAt");
    value(out, startedAt);
    out.name("sampling");
    if (sampling == null) {
      out.nullValue();
    } else {
      out.beginObject();
      out.name("sensors").value(sampling.sensors());
      out.name("lastReadAt");
      value(out, sampling.lastReadAt());
      out.name("expectedWithinMs").value(sampling.expectedWithinMs());
      out.endObject();
    }
    out.name("buffer");
    if (buffer == null) {
      out.nullValue();
    } else {
      Map<String, Object> typed = new LinkedHashMap<>();
      typed.put("messages", buffer.messages());
      typed.put("writable", buffer.writable());
      typed.put("lastError", buffer.lastError());
      part(out, report == null ? null : report.buffer(), typed);
    }
    out.name("link");
    if (link == null) {
      out.nullValue();
    } else {
      Map<String, Object> typed = new LinkedHashMap<>();
      typed.put("state", link.state());
      typed.put("connected", link.connected());
      typed.put("connectedAt", link.connectedAt());
      part(out, report == null ? null : report.link(), typed);
    }
    out.name("uplink");
    if (uplink == null) {
      out.nullValue();
    } else {
      Map<String, Object> typed = new LinkedHashMap<>();
      typed.put("lastAckAt", uplink.lastAckAt());
      part(out, report == null ? null : report.uplink(), typed);
    }
    out.name("ackExpectedWithinMs").value(ackExpectedWithinMs);
    out.name("services");
    value(out, services);
    out.name("credentialProblem").value(credentialProblem);
    if (report != null) {
      out.name("sensors");
      value(out, report.sensors());
      if (!report.outputs().isEmpty()) {
        out.name("outputs");
        value(out, report.outputs());
      }
    }
    out.endObject();
  }

  /** A part's full report with its typed fields written over it (new ones last). */
  private static void part(JsonWriter out, Map<String, Object> full, Map<String, Object> typed)
      throws IOException {
    out.beginObject();
    if (full != null) {
      for (Map.Entry<String, Object> e : full.entrySet()) {
        out.name(e.getKey());
        value(out, typed.containsKey(e.getKey()) ? typed.get(e.getKey()) : e.getValue());
      }
    }
    for (Map.Entry<String, Object> e : typed.entrySet()) {
      if (full == null || !full.containsKey(e.getKey())) {
        out.name(e.getKey());
        value(out, e.getValue());
      }
    }
    out.endObject();
  }

  private static void value(JsonWriter out, Object v) throws IOException {
    if (v == null) {
      out.nullValue();
    } else if (v instanceof String str) {
      out.value(str);
    } else if (v instanceof Boolean b) {
      out.value(b);
    } else if (v instanceof Number n) {
      out.value(n);
    } else if (v instanceof Instant i) {
      out.value(IsoInstant.format(i));
    } else if (v instanceof Map<?, ?> m) {
      out.beginObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.name(String.valueOf(e.getKey()));
        value(out, e.getValue());
      }
      out.endObject();
    } else if (v instanceof Iterable<?> list) {
      out.beginArray();
      for (Object o : list) {
        value(out, o);
      }
      out.endArray();
    } else {
      Gson gson = Reflective.GSON; // anything else: as Gson would write it
      gson.toJson(gson.toJsonTree(v), out);
    }
  }

  /**
   * Reads a status file back (without its {@link Report}).
   *
   * @throws IOException when the file cannot be read
   * @throws JsonParseException when it is not a status file: not JSON, or a required part missing
   */
  public static StatusSnapshot read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    StatusSnapshot s;
    try {
      JsonElement tree = com.google.gson.JsonParser.parseString(text);
      s = Reflective.GSON.fromJson(tree, StatusSnapshot.class);
    } catch (RuntimeException e) {
      throw new JsonParseException("not JSON: " + e.getMessage(), e);
    }
    if (s == null) {
      throw new JsonParseException("empty");
    }
    for (Object[] part :
        new Object[][] {
          {"state", s.state},
          {"writtenAt", s.writtenAt},
          {"startedAt", s.startedAt},
          {"sampling", s.sampling},
          {"buffer", s.buffer},
          {"link", s.link}
        }) {
      if (part[1] == null) {
        throw new IllegalStateException("no \"" + part[0] + "\"");
      }
    }
    return s;
  }

  /** ISO-8601, as everywhere else in Outpost's files and messages. */
  private static final class InstantAdapter extends TypeAdapter<Instant> {
    @Override
    public void write(JsonWriter out, Instant value) throws IOException {
      out.value(IsoInstant.format(value));
    }

    @Override
    public Instant read(JsonReader in) throws IOException {
      if (in.peek() == JsonToken.NULL) {
        in.nextNull();
        return null;
      }
      return Instant.parse(in.nextString());
    }
  }
}
