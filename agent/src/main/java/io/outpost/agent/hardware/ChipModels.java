package io.outpost.agent.hardware;

import io.outpost.plugin.testkit.RegisterFileI2c;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The I2C behaviour models a simulated sensor can name ({@code "model"}); each call makes a fresh
 * one.
 */
public final class ChipModels {
  /** Every model name, for error messages and docs. */
  public static final List<String> NAMES = List.of("registers", "sht3x", "bh1750", "ads1115");

  private ChipModels() {}

  /** A new model instance called {@code name}, empty when there is none. */
  public static Optional<RegisterFileI2c.Model> create(String name) {
    Supplier<RegisterFileI2c.Model> s =
        switch (name.toLowerCase(Locale.ROOT)) {
          case "registers" -> () -> RegisterFileI2c.REGISTER_POINTER;
          case "sht3x", "sht31", "sht30", "sht35" -> Sht3xModel::new;
          case "bh1750" -> Bh1750Model::new;
          case "ads1115" -> Ads1115Model::new;
          default -> null;
        };
    return Optional.ofNullable(s).map(Supplier::get);
  }

  /** The model a sensor type needs when its simulation does not say: command chips get theirs. */
  public static String defaultFor(String sensorType) {
    return switch (sensorType == null ? "" : sensorType) {
      case "sht3x" -> "sht3x";
      case "bh1750" -> "bh1750";
      case "ads1115" -> "ads1115";
      default -> "registers";
    };
  }
}
