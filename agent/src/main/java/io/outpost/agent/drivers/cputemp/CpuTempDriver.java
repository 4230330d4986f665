package io.outpost.agent.drivers.cputemp;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The SoC temperature from {@code /sys/class/thermal/thermal_zone<N>/temp} (millidegrees Celsius).
 * Reading: {@code temperature} (Cel).
 */
public final class CpuTempDriver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.integer(
              "zone", 0, 0, 63, "thermal zone, `/sys/class/thermal/thermal_zone<zone>/temp`"));

  @Override
  public String type() {
    return "cpu-temp";
  }

  @Override
  public String description() {
    return "SoC temperature (Cel) from /sys/class/thermal/thermal_zone0/temp";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    int zone = OPTIONS.check(ctx.options()).integer("zone");
    String path = "/sys/class/thermal/thermal_zone" + zone + "/temp";
    return () -> {
      Path file = ctx.hardware().path(path);
      String text;
      try {
        text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      } catch (IOException e) {
        throw new IOException(
            "cpu-temp: reading "
                + file
                + " failed: "
                + e
                + "; does thermal zone "
                + zone
                + " exist (ls /sys/class/thermal)?",
            e);
      }
      long milli;
      try {
        milli = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new IOException(
            "cpu-temp: " + file + " holds \"" + text + "\", expected millidegrees such as 48312");
      }
      return List.of(Reading.number("temperature", "Cel", milli / 1000.0, ctx.clock().instant()));
    };
  }
}
