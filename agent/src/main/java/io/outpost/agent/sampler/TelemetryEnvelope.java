package io.outpost.agent.sampler;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
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
}
