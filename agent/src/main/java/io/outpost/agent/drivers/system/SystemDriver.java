package io.outpost.agent.drivers.system;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Health of the board itself: load average ({@code /proc/loadavg}), memory ({@code /proc/meminfo}),
 * disk space of a mount point, uptime ({@code /proc/uptime}) and, where the firmware exposes it,
 * the Raspberry Pi throttling flags that {@code vcgencmd get_throttled} prints ({@code
 * /sys/devices/platform/soc/soc:firmware/get_throttled}).
 */
public final class SystemDriver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.string(
              "disk",
              "/",
              null,
              "^/",
              v -> "\"" + v + "\" must be an absolute path such as \"/\"",
              "mount point whose space is reported"));

  static final String THROTTLED = "/sys/devices/platform/soc/soc:firmware/get_throttled";

  @Override
  public String type() {
    return "system";
  }

  @Override
  public String description() {
    return "Board health: load, memory, disk, uptime, Raspberry Pi under-voltage/throttling flags";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    String disk = OPTIONS.check(ctx.options()).string("disk");
    return () -> read(ctx, disk);
  }

  private static List<Reading> read(SensorContext ctx, String disk) throws IOException {
    Hardware hw = ctx.hardware();
    Instant now = ctx.clock().instant();
    List<Reading> out = new ArrayList<>();

    String[] load = text(hw, "/proc/loadavg").split("\\s+");
    if (load.length < 3) {
      throw new IOException(
          "system: /proc/loadavg holds too few fields: \"" + String.join(" ", load) + "\"");
    }
    out.add(Reading.number("load1", null, number(load[0], "/proc/loadavg"), now));
    out.add(Reading.number("load5", null, number(load[1], "/proc/loadavg"), now));
    out.add(Reading.number("load15", null, number(load[2], "/proc/loadavg"), now));

    long total = -1;
    long available = -1;
    for (String line : text(hw, "/proc/meminfo").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].equals("MemTotal:")) {
        total = (long) number(f[1], "/proc/meminfo MemTotal") * 1024;
      } else if (f.length >= 2 && f[0].equals("MemAvailable:")) {
        available = (long) number(f[1], "/proc/meminfo MemAvailable") * 1024;
      }
    }
    if (total <= 0 || available < 0) {
      throw new IOException(
          "system: /proc/meminfo lacks MemTotal or MemAvailable (kernel older than 3.14?)");
    }
    out.add(Reading.number("memAvailable", "B", available, now));
    out.add(Reading.number("memUsed", "/", 1.0 - (double) available / total, now));

    Path mount = hw.path(disk);
    try {
      FileStore store = Files.getFileStore(mount);
      long size = store.getTotalSpace();
      long free = store.getUsableSpace();
      out.add(Reading.number("diskFree", "B", free, now));
      if (size > 0) {
        out.add(Reading.number("diskUsed", "/", 1.0 - (double) free / size, now));
      }
    } catch (IOException e) {
      throw new IOException("system: reading disk space of " + mount + " failed: " + e, e);
    }

    String[] up = text(hw, "/proc/uptime").split("\\s+");
    out.add(Reading.number("uptime", "s", number(up[0], "/proc/uptime"), now));

    Path throttled = hw.path(THROTTLED);
    if (Files.isReadable(throttled)) {
      String t =
          Files.readString(throttled, StandardCharsets.US_ASCII)
              .strip()
              .toLowerCase(java.util.Locale.ROOT);
      long bits;
      try {
        bits = Long.parseLong(t.startsWith("0x") ? t.substring(2) : t, 16);
      } catch (NumberFormatException e) {
        throw new IOException(
            "system: " + THROTTLED + " holds \"" + t + "\", expected a hex bit mask");
      }
      // Bit meanings as documented for vcgencmd get_throttled.
      out.add(Reading.bool("undervoltage", (bits & 0x1) != 0, now));
      out.add(Reading.bool("freqCapped", (bits & 0x2) != 0, now));
      out.add(Reading.bool("throttled", (bits & 0x4) != 0, now));
      out.add(Reading.bool("softTempLimit", (bits & 0x8) != 0, now));
      out.add(Reading.bool("undervoltageOccurred", (bits & 0x10000) != 0, now));
      out.add(Reading.bool("throttledOccurred", (bits & 0x40000) != 0, now));
    }
    return out;
  }

  private static String text(Hardware hw, String path) throws IOException {
    Path p = hw.path(path);
    try {
      return Files.readString(p, StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      throw new IOException("system: " + p + " does not exist (is /proc mounted?)", e);
    }
  }

  private static double number(String s, String what) throws IOException {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IOException("system: " + what + " holds \"" + s + "\", expected a number");
    }
  }
}
