package io.outpost.agent.drivers.sim;

import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.util.List;
import java.util.Set;

/**
 * {@code sim.counter}: record {@code <sensor>/count}, {@code start} + {@code step} per read. Made
 * for loss tests: every sample differs, so every sample is reported.
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

  /** {@code sim.counter}. Options: {@code start} (default 1), {@code step} (default 1). */
  public static final SensorFactory FACTORY =
      new SimulatedType(
          "sim.counter",
          "simulated counter: <name>/count increases by step on every read",
          Set.of("start", "step"),
          (context, o) -> new SimCounter(context, o.number("start", 1), o.number("step", 1)));
}
