package io.outpost.agent.sampler;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import java.util.List;

/**
 * The telemetry message of one batch (see docs/protocol.md): {@code {"type": "telemetry", "device":
 * id, "records": [SenML…]}}, where the first record carries the base name {@code <device>/} and the
 * base time, and every record's {@code t} is relative to it.
 *
 * <pre>{@code
 * JsonObject msg = new TelemetryEnvelope("pi-1").wrap(batch);
 * // {"type":"telemetry","device":"pi-1","records":[{"bn":"pi-1/","bt":1767225600.5,"n":"env/t",…}]}
 * }</pre>
 */
public final class TelemetryEnvelope {
  private final String deviceId;

  public TelemetryEnvelope(String deviceId) {
    this.deviceId = deviceId;
  }

  /**
   * @param records one batch, at least one record
   */
  public JsonObject wrap(List<SenmlRecord> records) {
    JsonObject msg = new JsonObject();
    msg.addProperty("type", "telemetry");
    msg.addProperty("device", deviceId);
    JsonArray arr = new JsonArray();
    double bt = SenmlRecord.seconds(records.get(0).time());
    for (int i = 0; i < records.size(); i++) {
      JsonObject r = records.get(i).toJson(null, bt);
      if (i == 0) {
        // SenML wants the base fields first.
        JsonObject first = new JsonObject();
        first.addProperty("bn", deviceId + "/");
        first.add("bt", SenmlRecord.secondsJson(records.get(0).time().toEpochMilli()));
        r.entrySet().forEach(e -> first.add(e.getKey(), e.getValue()));
        r = first;
      }
      arr.add(r);
    }
    msg.add("records", arr);
    return msg;
  }

  /**
   * The same message as JSON text, exactly as Gson writes {@link #wrap} (the outbox stores that
   * text), without the tree: the sampler makes one a second or two, on a JVM that interprets code
   * run that rarely, where building and serialising the tree (and a {@code BigDecimal} per time)
   * was most of a message's cost. Values it does not write itself (non-finite numbers, strings that
   * need escaping, a missing value) go through the tree.
   *
   * @param records one batch, at least one record
   */
  public String text(List<SenmlRecord> records) {
    StringBuilder sb = new StringBuilder(64 + 64 * records.size());
    sb.append("{\"type\":\"telemetry\",\"device\":");
    if (!string(sb, deviceId)) {
      return Json.write(wrap(records));
    }
    sb.append(",\"records\":[");
    long base = records.get(0).time().toEpochMilli();
    double bt = SenmlRecord.seconds(records.get(0).time());
    long baseMillis = Math.round(bt * 1000);
    for (int i = 0; i < records.size(); i++) {
      SenmlRecord r = records.get(i);
      sb.append(i == 0 ? "{" : ",{");
      if (i == 0) {
        if (!string(sb.append("\"bn\":"), deviceId + "/")) {
          return Json.write(wrap(records));
        }
        seconds(sb.append(",\"bt\":"), base);
        sb.append(',');
      }
      if (!string(sb.append("\"n\":"), r.name())) {
        return Json.write(wrap(records));
      }
      if (r.unit() != null && !string(sb.append(",\"u\":"), r.unit())) {
        return Json.write(wrap(records));
      }
      if (r.value() != null) {
        double v = r.value();
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
          sb.append(",\"v\":").append((long) v);
        } else if (Double.isFinite(v)) {
          sb.append(",\"v\":").append(Double.toString(v));
        } else {
          return Json.write(wrap(records));
        }
      } else if (r.boolValue() != null) {
        sb.append(",\"vb\":").append(r.boolValue().booleanValue());
      } else if (r.stringValue() == null || !string(sb.append(",\"vs\":"), r.stringValue())) {
        return Json.write(wrap(records));
      }
      long rel = r.time().toEpochMilli() - baseMillis;
      if (rel != 0) {
        seconds(sb.append(",\"t\":"), rel);
      }
      sb.append('}');
    }
    return sb.append("]}").toString();
  }

  /**
   * A string as Gson writes it, if it needs no escaping (printable ASCII, no quote or backslash).
   */
  private static boolean string(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
        return false;
      }
    }
    sb.append('"').append(s).append('"');
    return true;
  }

  /** {@link SenmlRecord#secondsJson} as text: seconds with up to three decimals, no exponent. */
  static void seconds(StringBuilder sb, long millis) {
    if (millis == Long.MIN_VALUE) {
      sb.append(SenmlRecord.secondsJson(millis).toString());
      return;
    }
    if (millis < 0) {
      sb.append('-');
      millis = -millis;
    }
    sb.append(millis / 1000);
    int ms = (int) (millis % 1000);
    if (ms != 0) {
      sb.append('.').append((char) ('0' + ms / 100));
      ms %= 100;
      if (ms != 0) {
        sb.append((char) ('0' + ms / 10));
        ms %= 10;
        if (ms != 0) {
          sb.append((char) ('0' + ms));
        }
      }
    }
  }
}
