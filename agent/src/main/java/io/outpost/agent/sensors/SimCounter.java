package io.outpost.agent.sensors;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.util.List;
import java.util.Set;

/**
 * {@code sim.counter}: record {@code <sensor>/count}, {@code start} + {@code step} per read. Made for
 * loss tests: every sample differs, so every sample is reported.
 */
public final class SimCounter implements Sensor {
  private final SensorContext context;
  private final double step;
  private double next;

  private SimCounter(SensorContext context, double start, double step) {
    this.context = context;
    this.next = start;
    this.step = step;
  }

  /** Nothing to release: a simulated sensor holds no hardware. */
  @Override
  public void close() {}

  @Override
  public List<Reading> read() {
    double v = next;
    next += step;
    return List.of(Reading.number("count", null, v, context.clock().instant()));
  }

  /** Options: {@code start} (default 1), {@code step} (default 1). */
  public static final class Factory implements SensorFactory {
    @Override
    public String type() {
      return "sim.counter";
    }

    @Override
    public String description() {
      return "simulated counter: <name>/count increases by step on every read";
    }

    @Override
    public Sensor create(SensorContext context) throws ConfigException {
      var o = context.options();
      o.allowOnly(Set.of("start", "step"));
      return new SimCounter(context, o.number("start", 1), o.number("step", 1));
    }
  }
}
