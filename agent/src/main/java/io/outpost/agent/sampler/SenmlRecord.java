package io.outpost.agent.sampler;

import com.google.gson.JsonObject;
import io.outpost.plugin.Reading;
import java.time.Instant;

/**
 * One SenML record (RFC 8428) with its full name ({@code <sensor>/<quantity>}) and absolute time.
 */
public record SenmlRecord(
    String name, String unit, Double value, Boolean boolValue, String stringValue, Instant time) {

  public static SenmlRecord of(String sensor, Reading r) {
    return new SenmlRecord(
        sensor + "/" + r.quantity(), r.unit(), r.value(), r.boolValue(), r.stringValue(), r.time());
  }

  /** Milliseconds as a JSON number of seconds with three decimals, never in exponent notation. */
  public static com.google.gson.JsonPrimitive secondsJson(long millis) {
    java.math.BigDecimal seconds = java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros();
    // Whole seconds: stripping may leave a negative scale (1E+1), which Gson would print in
    // exponent notation.
    return new com.google.gson.JsonPrimitive(
        seconds.scale() > 0 ? seconds : java.math.BigDecimal.valueOf(millis / 1000));
  }

  /** Seconds since the epoch with millisecond precision, as SenML writes times. */
  public static double seconds(Instant t) {
    return t.toEpochMilli() / 1000.0;
  }

  /**
   * The record as JSON. With {@code baseTime} its {@code t} is relative to it (0 is omitted); with
   * {@code null}, {@code t} is absolute.
   */
  public JsonObject toJson(String prefix, Double baseTime) {
    JsonObject o = new JsonObject();
    o.addProperty("n", prefix == null ? name : prefix + name);
    if (unit != null) {
      o.addProperty("u", unit);
    }
    if (value != null) {
      double v = value;
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        o.addProperty("v", (long) v);
      } else {
        o.addProperty("v", v);
      }
    } else if (boolValue != null) {
      o.addProperty("vb", boolValue);
    } else {
      o.addProperty("vs", stringValue);
    }
    if (baseTime == null) {
      o.add("t", secondsJson(time.toEpochMilli()));
    } else {
      long rel = time.toEpochMilli() - Math.round(baseTime * 1000);
      if (rel != 0) {
        o.add("t", secondsJson(rel));
      }
    }
    return o;
  }

  /** An upper bound of this record's serialized size in a batch, for size budgeting. */
  public int estimatedBytes() {
    int n = name.length() + 48;
    if (unit != null) {
      n += unit.length() + 8;
    }
    if (stringValue != null) {
      n += stringValue.length() * 6;
    }
    return n;
  }
}
