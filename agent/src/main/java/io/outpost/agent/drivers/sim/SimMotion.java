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
 * {@code sim.motion}: a PIR-like boolean. Each read flips the state with {@code probability}; the
 * record {@code <sensor>/motion} is produced only on a change (an event), so idle periods cost
 * nothing.
 */
public final class SimMotion implements Sensor {
  private final SensorContext context;
  private final double probability;
  private final Random random;
  private Boolean state;

  private SimMotion(SensorContext context, double probability, long seed) {
    this.context = context;
    this.probability = probability;
    this.random = new Random(seed);
  }

  /** Nothing to release: a simulated sensor holds no hardware. */
  @Override
  public void close() {}

  @Override
  public List<Reading> read() {
    var now = context.clock().instant();
    if (state == null) {
      state = false;
      return List.of(Reading.bool("motion", false, now));
    }
    if (random.nextDouble() < probability) {
      state = !state;
      return List.of(Reading.bool("motion", state, now));
    }
    return List.of();
  }

  /** {@code sim.motion}. Options: {@code probability} of a change per read (0.1), {@code seed}. */
  public static final SensorFactory FACTORY =
      new SimulatedType(
          "sim.motion",
          "simulated motion detector: boolean events <name>/motion",
          Set.of("probability", "seed"),
          SimMotion::create);

  private static Sensor create(SensorContext context, Options o) throws ConfigException {
    double p = o.number("probability", 0.1);
    if (p < 0 || p > 1) {
      throw new ConfigException(o.location(), "probability", p + " out of range, expected 0..1");
    }
    return new SimMotion(context, p, o.integer("seed", System.nanoTime()));
  }
}
