package io.outpost.agent.hardware;

import io.outpost.agent.drivers.Drivers;
import io.outpost.plugin.I2cModel;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.RegisterFileI2c;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The I2C behaviour models a simulated sensor can name ({@code "model"}): {@code registers} (the
 * plain register-pointer chip), each built-in driver's model, and the model of the sensor's own
 * type (a plugin's {@link SensorFactory#simulationModel()}). Each call makes a fresh one.
 */
final class ChipModels {
  private ChipModels() {}

  /** The model called {@code name} for a sensor made by {@code factory} (may be null). */
  static Optional<I2cModel> create(String name, SensorFactory factory) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("registers")) {
      return Optional.of(RegisterFileI2c.REGISTER_POINTER);
    }
    if (factory != null && factory.type().equals(n)) {
      Optional<I2cModel> own = factory.simulationModel();
      if (own.isPresent()) {
        return own;
      }
    }
    return Drivers.model(n);
  }

  /** The model a register image without a {@code model} gets: the type's own, else registers. */
  static I2cModel defaultFor(SensorFactory factory) {
    return (factory == null ? Optional.<I2cModel>empty() : factory.simulationModel())
        .orElse(RegisterFileI2c.REGISTER_POINTER);
  }

  /** Every name {@link #create} accepts for {@code factory}, for error messages. */
  static List<String> names(SensorFactory factory) {
    List<String> names = new ArrayList<>(List.of("registers"));
    names.addAll(Drivers.modelNames());
    if (factory != null
        && !names.contains(factory.type())
        && factory.simulationModel().isPresent()) {
      names.add(factory.type());
    }
    return names;
  }
}
