package io.outpost.agent.plugins;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.I2cModel;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SensorFactory;
import java.util.Optional;

/**
 * A plugin's {@link SensorFactory} whose sensors come wrapped in {@link IsolatedSensor}, so the
 * agent can register plugin factories next to the built-in ones and still run plugin code under
 * timeouts, backoff and flood limits. {@code type()} and {@code description()} are the plugin's,
 * guarded against exceptions.
 */
public final class IsolatingFactory implements SensorFactory {
  private final SensorFactory plugin;
  private final IsolatedSensor.Limits limits;
  private final String type;

  /**
   * @param plugin a factory from {@link LoadedPlugins#sensorFactories()} (its type was already
   *     checked)
   */
  public IsolatingFactory(SensorFactory plugin, IsolatedSensor.Limits limits) {
    this.plugin = plugin;
    this.limits = limits;
    this.type = plugin.type();
  }

  /** The plugin's own factory. */
  public SensorFactory plugin() {
    return plugin;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String description() {
    try {
      return plugin.description();
    } catch (RuntimeException | LinkageError e) {
      return "(plugin " + plugin.getClass().getName() + ": description() failed)";
    }
  }

  @Override
  public Sensor create(SensorContext context) throws ConfigException {
    return IsolatedSensor.create(plugin, context, limits);
  }

  /**
   * The plugin's chip model for simulated profiles. Its calls run inside the isolated sensor's
   * hardware calls; a factory that fails here simply has no model.
   */
  @Override
  public Optional<I2cModel> simulationModel() {
    try {
      Optional<I2cModel> m = plugin.simulationModel();
      return m == null ? Optional.empty() : m;
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }
}
