package io.outpost.agent.drivers;

import io.outpost.agent.outputs.Outputs;
import io.outpost.plugin.SensorFactory;
import java.util.List;

/** The built-in hardware drivers, one factory per part (the role of Telegraf's {@code all/}). */
public final class Drivers {
  private Drivers() {}

  /**
   * Every built-in driver factory, with a private {@link Outputs} registry: {@code gpio-out}
   * sensors work, but nothing can switch them. The agent uses {@link #all(Outputs)}.
   */
  public static List<SensorFactory> all() {
    return all(new Outputs());
  }

  /**
   * Every built-in driver factory; {@code gpio-out} outputs register in {@code outputs} for {@code
   * output.set}.
   */
  public static List<SensorFactory> all(Outputs outputs) {
    return List.of(
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
        new GpioOutDriver(outputs));
  }
}
