package io.outpost.agent.drivers.sim;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** {@code sim.sine}: {@code offset + amplitude·sin(2πt/period)} as {@code <sensor>/<quantity>}. */
public final class SimSine implements Sensor {
  private final SensorContext context;
  private final String quantity;
  private final String unit;
  private final double offset;
  private final double amplitude;
  private final double periodMillis;

  private SimSine(
      SensorContext context,
      String quantity,
      String unit,
      double offset,
      double amplitude,
      Duration period) {
    this.context = context;
    this.quantity = quantity;
    this.unit = unit;
    this.offset = offset;
    this.amplitude = amplitude;
    this.periodMillis = period.toMillis();
  }

  /** Nothing to release: a simulated sensor holds no hardware. */
  @Override
  public void close() {}

  @Override
  public List<Reading> read() {
    var now = context.clock().instant();
    double v =
        offset
            + amplitude
                * Math.sin(2 * Math.PI * (now.toEpochMilli() % (long) periodMillis) / periodMillis);
    return List.of(Reading.number(quantity, unit, Math.round(v * 1000) / 1000.0, now));
  }

  /**
   * {@code sim.sine}. Options: {@code quantity} ("value"), {@code unit} (none), {@code offset} (0),
   * {@code amplitude} (1), {@code period} ("60s").
   */
  public static final SensorFactory FACTORY =
      new SimulatedType(
          "sim.sine",
          "simulated sine wave: offset + amplitude * sin(2 pi t / period)",
          Set.of("quantity", "unit", "offset", "amplitude", "period"),
          SimSine::create);

  private static Sensor create(SensorContext context, Options o) throws ConfigException {
    Duration period = o.duration("period", Duration.ofSeconds(60));
    if (period.toMillis() < 1) {
      throw new ConfigException(o.location(), "period", "must be at least 1ms");
    }
    return new SimSine(
        context,
        o.string("quantity", "value"),
        o.string("unit", null),
        o.number("offset", 0),
        o.number("amplitude", 1),
        period);
  }
}
