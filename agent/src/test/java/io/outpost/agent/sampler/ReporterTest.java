package io.outpost.agent.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReporterTest {
  private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

  private static SenmlRecord num(double v, long secondsAfter) {
    return new SenmlRecord("env/t", "Cel", v, null, null, T0.plusSeconds(secondsAfter));
  }

  @Test
  void withoutDeadbandEverySampleIsReported() {
    Reporter r = new Reporter(0, Double.NaN, Duration.ZERO, Duration.ZERO);
    assertThat(r.offer(num(1, 0))).isTrue();
    assertThat(r.offer(num(1, 1))).isTrue();
  }

  @Test
  void absoluteDeadbandComparesAgainstTheLastReportedValueSoDriftIsNotLost() {
    Reporter r = new Reporter(0.5, Double.NaN, Duration.ZERO, Duration.ZERO);
    assertThat(r.offer(num(20.0, 0))).isTrue();
    assertThat(r.offer(num(20.3, 1))).isFalse();
    assertThat(r.offer(num(20.4, 2))).isFalse();
    assertThat(r.offer(num(20.6, 3))).isTrue();
    assertThat(r.offer(num(20.2, 4))).isFalse();
  }

  @Test
  void percentDeadbandIsRelativeToTheLastReportedValue() {
    Reporter r = new Reporter(0, 2, Duration.ZERO, Duration.ZERO);
    assertThat(r.offer(num(100, 0))).isTrue();
    assertThat(r.offer(num(101.9, 1))).isFalse();
    assertThat(r.offer(num(102.1, 2))).isTrue();
  }

  @Test
  void maxIntervalForcesAHeartbeatAndMinIntervalThrottles() {
    Reporter r = new Reporter(10, Double.NaN, Duration.ofSeconds(5), Duration.ofSeconds(60));
    assertThat(r.offer(num(1, 0))).isTrue();
    assertThat(r.offer(num(50, 2))).as("big change, but within minInterval").isFalse();
    assertThat(r.offer(num(50, 6))).isTrue();
    assertThat(r.offer(num(50, 30))).isFalse();
    assertThat(r.offer(num(50, 66))).as("heartbeat").isTrue();
  }

  @Test
  void booleansAndStringsAreReportedOnChange() {
    Reporter r = new Reporter(0, Double.NaN, Duration.ZERO, Duration.ZERO);
    SenmlRecord open = new SenmlRecord("door/open", null, null, true, null, T0);
    SenmlRecord stillOpen = new SenmlRecord("door/open", null, null, true, null, T0.plusSeconds(1));
    SenmlRecord closed = new SenmlRecord("door/open", null, null, false, null, T0.plusSeconds(2));
    assertThat(r.offer(open)).isTrue();
    assertThat(r.offer(stillOpen)).isFalse();
    assertThat(r.offer(closed)).isTrue();
  }
}
