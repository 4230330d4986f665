package io.outpost.agent.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.agent.internal.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TelemetryEnvelopeTest {
  @Test
  void theFirstRecordCarriesBaseNameAndTimeAndTheRestAreRelative() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00.500Z");
    List<SenmlRecord> batch =
        List.of(
            new SenmlRecord("env/t", "Cel", 21.5, null, null, t0),
            new SenmlRecord("door/open", null, null, true, null, t0.plusMillis(250)));
    assertThat(new TelemetryEnvelope("pi-1").wrap(batch).toString())
        .isEqualTo(
            "{\"type\":\"telemetry\",\"device\":\"pi-1\",\"records\":["
                + "{\"bn\":\"pi-1/\",\"bt\":1767225600.5,\"n\":\"env/t\",\"u\":\"Cel\",\"v\":21.5},"
                + "{\"n\":\"door/open\",\"vb\":true,\"t\":0.25}]}");
  }

  @Test
  void theTextIsWhatGsonWritesOfTheTree() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    TelemetryEnvelope envelope = new TelemetryEnvelope("pi-1");
    List<List<SenmlRecord>> batches =
        List.of(
            List.of(new SenmlRecord("env/temperature", "Cel", 21.0, null, null, t0)),
            List.of(
                new SenmlRecord(
                    "env/temperature", "Cel", 21.123456789, null, null, t0.plusMillis(5)),
                new SenmlRecord("air/humidity", "%RH", 45.5, null, null, t0.plusMillis(5)),
                new SenmlRecord("ctr/count", null, 3.0, null, null, t0.plusMillis(1005)),
                new SenmlRecord("env/temperature", "Cel", -1e-7, null, null, t0.plusMillis(1050)),
                new SenmlRecord("big/v", null, 1e15, null, null, t0.plusMillis(1100)),
                new SenmlRecord("big/w", null, -2.5e300, null, null, t0.plusMillis(4000)),
                new SenmlRecord("neg/zero", null, -0.0, null, null, t0.minusMillis(500)),
                new SenmlRecord("door/open", null, null, false, null, t0.minusMillis(2000)),
                new SenmlRecord("gps/fix", null, null, null, "3D", t0.plusMillis(999))),
            // What it leaves to the tree: escaping, non-ASCII, non-finite numbers, no value.
            List.of(new SenmlRecord("cam/label", null, null, null, "a \"cat\"\n", t0)),
            List.of(new SenmlRecord("env/t", "°C", 20.5, null, null, t0)),
            List.of(new SenmlRecord("env/t", null, Double.NaN, null, null, t0)),
            List.of(new SenmlRecord("env/t", null, null, null, null, t0)));
    for (List<SenmlRecord> batch : batches) {
      assertThat(envelope.text(batch)).isEqualTo(Json.write(envelope.wrap(batch)));
    }
    assertThat(new TelemetryEnvelope("pi \"1\"").text(batches.get(1)))
        .isEqualTo(Json.write(new TelemetryEnvelope("pi \"1\"").wrap(batches.get(1))));
  }

  @Test
  void secondsAreWrittenAsSecondsJsonWritesThem() {
    for (long millis :
        new long[] {
          0,
          1,
          5,
          10,
          50,
          100,
          120,
          999,
          1000,
          1001,
          1500,
          2000,
          1767225600500L,
          -1,
          -500,
          -2000,
          -1050,
          Long.MAX_VALUE,
          Long.MIN_VALUE
        }) {
      StringBuilder sb = new StringBuilder();
      TelemetryEnvelope.seconds(sb, millis);
      assertThat(sb.toString())
          .as("%d ms", millis)
          .isEqualTo(SenmlRecord.secondsJson(millis).toString());
    }
  }
}
