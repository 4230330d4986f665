package io.outpost.agent.drivers;

import io.outpost.agent.drivers.ads1115.Ads1115Driver;
import io.outpost.agent.drivers.bh1750.Bh1750Driver;
import io.outpost.agent.drivers.bme280.Bme280Driver;
import io.outpost.agent.drivers.cputemp.CpuTempDriver;
import io.outpost.agent.drivers.ds18b20.Ds18b20Driver;
import io.outpost.agent.drivers.gpio.GpioInDriver;
import io.outpost.agent.drivers.gpio.GpioOutDriver;
import io.outpost.agent.drivers.mcp3008.Mcp3008Driver;
import io.outpost.agent.drivers.sht3x.Sht3xDriver;
import io.outpost.agent.drivers.system.SystemDriver;
import io.outpost.agent.outputs.Outputs;
import io.outpost.plugin.I2cModel;
import io.outpost.plugin.SensorFactory;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in hardware drivers (the role of Telegraf's {@code all/}). Each driver is one package,
 * {@code io.outpost.agent.drivers.<part>}, holding the driver, its simulation model and its docs
 * section ({@code README.md}); adding one is one line in {@link #all(Outputs)}.
 */
public final class Drivers {
  private Drivers() {}

  /**
   * Every built-in driver, with a private {@link Outputs} registry: {@code gpio-out} sensors work,
   * but nothing can switch them. The agent uses {@link #all(Outputs)}.
   */
  public static List<SensorFactory> all() {
    return all(new Outputs());
  }

  /** Every built-in driver; {@code gpio-out} outputs register in {@code outputs}. */
  public static List<SensorFactory> all(Outputs outputs) {
    return List.copyOf(declared(outputs));
  }

  /** Every built-in driver with its declared options, in docs order. */
  public static List<Driver> declared(Outputs outputs) {
    // One line per driver; the trailing comma keeps adding one a one-line change.
    Driver[] all = {
      Bme280Driver.bme280(),
      Bme280Driver.bmp280(),
      new Sht3xDriver(),
      new Bh1750Driver(),
      new Ads1115Driver(),
      new Mcp3008Driver(),
      new Ds18b20Driver(),
      new CpuTempDriver(),
      new SystemDriver(),
      new GpioInDriver(),
      new GpioOutDriver(outputs),
      new io.outpost.agent.drivers.ina219.Ina219Driver(),
    };
    return List.of(all);
  }

  /** A fresh simulation model of the built-in chip called {@code name} (a type or part name). */
  public static Optional<I2cModel> model(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Driver d : declared(new Outputs())) {
      if (d.modelNames().contains(n)) {
        Optional<I2cModel> m = d.simulationModel();
        if (m.isPresent()) {
          return m;
        }
      }
    }
    return Optional.empty();
  }

  /** The types whose chip {@link #model(String)} simulates, for error messages. */
  public static List<String> modelNames() {
    return declared(new Outputs()).stream()
        .filter(d -> d.simulationModel().isPresent())
        .map(Driver::type)
        .toList();
  }
}
