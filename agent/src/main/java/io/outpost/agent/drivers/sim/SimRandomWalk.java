package io.outpost.agent.drivers.sim;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * {@code sim.random-walk}: each read moves the value by a uniform step in [-step, step], kept in
 * [min, max].
 */
public final class SimRandomWalk implements Sensor {
  private final SensorContext context;
  private final String quantity;
  private final String unit;
  private final double step;
  private final double min;
  private final double max;
  private final Random random;
  private double value;

  private SimRandomWalk(
      SensorContext context,
      String quantity,
      String unit,
      double start,
      double step,
      double min,
      double max,
      long seed) {
    this.context = context;
    this.quantity = quantity;
    this.unit = unit;
    this.value = start;
    this.step = step;
    this.min = min;
    this.max = max;
    this.random = new Random(seed);
  }

  /** Nothing to release: a simulated sensor holds no hardware. */
  @Override
  public void close() {}

  @Override
  public List<Reading> read() {
    value = Math.max(min, Math.min(max, value + (random.nextDouble() * 2 - 1) * step));
    return List.of(
        Reading.number(
            quantity, unit, Math.round(value * 1000) / 1000.0, context.clock().instant()));
  }

  /**
   * {@code sim.random-walk}. Options: {@code quantity}, {@code unit}, {@code start} (20), {@code
   * step} (0.1), {@code min} (-1e9), {@code max} (1e9), {@code seed}.
   */
  public static final SensorFactory FACTORY =
      new SimulatedType(
          "sim.random-walk",
          "simulated random walk between min and max",
          Set.of("quantity", "unit", "start", "step", "min", "max", "seed"),
          SimRandomWalk::create);

  private static Sensor create(SensorContext context, Options o) throws ConfigException {
    double min = o.number("min", -1e9);
    double max = o.number("max", 1e9);
    if (min > max) {
      throw new ConfigException(o.location(), "min", min + " is greater than max " + max);
    }
    double start = o.number("start", Math.max(min, Math.min(max, 20)));
    if (start < min || start > max) {
      throw new ConfigException(
          o.location(), "start", start + " out of range, expected " + min + ".." + max);
    }
    double step = o.number("step", 0.1);
    if (step < 0) {
      throw new ConfigException(o.location(), "step", "must be >= 0, got " + step);
    }
    return new SimRandomWalk(
        context,
        o.string("quantity", "value"),
        o.string("unit", null),
        start,
        step,
        min,
        max,
        o.integer("seed", System.nanoTime()));
  }
}
