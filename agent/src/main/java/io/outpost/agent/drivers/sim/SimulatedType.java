package io.outpost.agent.drivers.sim;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.util.Set;

/**
 * The factory of one synthetic sensor type ({@code sim.*}): its name, a description, the options it
 * accepts (any other is a configuration error) and how a sensor is made from them. Thread-safe.
 */
record SimulatedType(String type, String description, Set<String> options, Creator creator)
    implements SensorFactory {

  /** Makes the sensor from options already checked against {@link #options()}. */
  interface Creator {
    Sensor create(SensorContext context, Options options) throws ConfigException;
  }

  @Override
  public Sensor create(SensorContext context) throws ConfigException {
    Options o = context.options();
    o.allowOnly(options);
    return creator.create(context, o);
  }
}
