package io.outpost.agent.sampler;

import io.outpost.agent.profiles.SensorSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Report-by-exception for one sensor: decides per record name whether a new value is worth sending.
 * A value is reported when it is the first, when {@code maxInterval} passed since the last report
 * (heartbeat), or when it changed enough (deadband against the last <em>reported</em> value, so
 * slow drift still gets reported) and {@code minInterval} passed. Not thread-safe: one sampler
 * thread per sensor calls it.
 */
public final class Reporter {
  private final double deadband;
  private final double percent;
  private final Duration minInterval;
  private final Duration maxInterval;
  private final Map<String, SenmlRecord> last = new HashMap<>();

  public Reporter(SensorSpec spec) {
    this(spec.deadband(), spec.deadbandPercent(), spec.minInterval(), spec.maxInterval());
  }

  /**
   * @param deadband absolute change needed (0 = any change... and equal values too, see below)
   * @param percent relative change in percent of the last reported value, or NaN
   * @param minInterval least time between reports (0 = none)
   * @param maxInterval heartbeat (0 = none)
   */
  public Reporter(double deadband, double percent, Duration minInterval, Duration maxInterval) {
    this.deadband = deadband;
    this.percent = percent;
    this.minInterval = minInterval;
    this.maxInterval = maxInterval;
  }

  /** Whether to report {@code r}; remembers it as the last reported value when so. */
  public boolean offer(SenmlRecord r) {
    SenmlRecord prev = last.get(r.name());
    boolean report;
    if (prev == null) {
      report = true;
    } else {
      Duration since = Duration.between(prev.time(), r.time());
      if (!maxInterval.isZero() && since.compareTo(maxInterval) >= 0) {
        report = true;
      } else if (!minInterval.isZero() && since.compareTo(minInterval) < 0) {
        report = false;
      } else {
        report = changed(prev, r);
      }
    }
    if (report) {
      last.put(r.name(), r);
    }
    return report;
  }

  private boolean changed(SenmlRecord prev, SenmlRecord r) {
    if (r.value() != null && prev.value() != null) {
      double diff = Math.abs(r.value() - prev.value());
      if (!Double.isNaN(percent)) {
        return diff > Math.abs(prev.value()) * percent / 100.0 || (prev.value() == 0 && diff > 0);
      }
      // Without a deadband every sample is reported: a plain time series.
      return deadband == 0 || diff > deadband;
    }
    if (r.boolValue() != null || r.stringValue() != null) {
      return !Objects.equals(r.boolValue(), prev.boolValue())
          || !Objects.equals(r.stringValue(), prev.stringValue());
    }
    return true;
  }
}
