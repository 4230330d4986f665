package io.outpost.agent.sampler;

import static org.assertj.core.api.Assertions.assertThat;

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
}
