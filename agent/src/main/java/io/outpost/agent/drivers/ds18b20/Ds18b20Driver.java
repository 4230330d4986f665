package io.outpost.agent.drivers.ds18b20;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maxim DS18B20 1-Wire thermometer through the kernel's w1-therm driver: {@code
 * /sys/bus/w1/devices/28-<serial>/w1_slave}. The first line ends in {@code YES} when the bus CRC
 * matched (anything else fails the reading); the temperature is decoded from the scratchpad bytes
 * (datasheet table 1: a signed 16-bit count of 1/16 °C) and cross-checked with the kernel's {@code
 * t=} value. 85 °C (raw 0x0550) is the power-on value of a sensor that never converted (power
 * dropped, parasite power too weak) and fails the reading. Reading: {@code temperature} (Cel).
 */
public final class Ds18b20Driver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.string(
              "device",
              null,
              "the only `28-*` device",
              "^28-[0-9a-f]{12}$",
              v ->
                  "\""
                      + v
                      + "\" is not a DS18B20 id, expected \"28-\" and 12 lower-case hex digits,"
                      + " e.g. \"28-0316a2791aff\"",
              "1-Wire id, `28-` and 12 hex digits (required when several are connected)"));

  static final String DEVICES = "/sys/bus/w1/devices";
  static final int POWER_ON_RAW = 0x0550;
  private static final Pattern SERIAL = Pattern.compile("28-[0-9a-f]{12}");
  private static final Pattern CRC_LINE =
      Pattern.compile("((?:[0-9a-f]{2} ){9}): crc=([0-9a-f]{2}) (\\w+)");
  private static final Pattern T_LINE = Pattern.compile("((?:[0-9a-f]{2} ){9})t=(-?\\d+)");
  private static final String HINT =
      "is the w1-gpio overlay enabled (dtoverlay=w1-gpio in config.txt)? "
          + "is the 4.7 kOhm pull-up fitted?";

  @Override
  public String type() {
    return "ds18b20";
  }

  @Override
  public String description() {
    return "Maxim DS18B20 1-Wire temperature (Cel) via /sys/bus/w1, CRC honoured, 85 °C power-on value rejected";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    return new Ds18b20Sensor(ctx, OPTIONS.check(ctx.options()).string("device"));
  }

  /**
   * °C from the scratchpad's temperature bytes, with the bits undefined at the configured
   * resolution cleared.
   */
  static double celsius(int lsb, int msb, int configByte) {
    int raw = (short) ((msb & 0xFF) << 8 | (lsb & 0xFF));
    int resolution = 9 + ((configByte >> 5) & 0x03); // R1R0: 9..12 bits
    int undefined =
        12 - resolution; // datasheet: bits 2..0 undefined at 9 bit, 1..0 at 10 bit, 0 at 11 bit
    raw &= ~((1 << undefined) - 1);
    return raw / 16.0;
  }

  /** Parses a {@code w1_slave} file; throws naming the problem. */
  static double parse(String content, String source) throws IOException {
    String[] lines = content.strip().split("\n");
    if (lines.length < 2) {
      throw new IOException(source + ": expected two lines, got \"" + content.strip() + "\"");
    }
    Matcher crc = CRC_LINE.matcher(lines[0].strip());
    if (!crc.matches()) {
      throw new IOException(source + ": unrecognised first line \"" + lines[0].strip() + "\"");
    }
    if (!crc.group(3).equals("YES")) {
      throw new IOException(
          source
              + ": the 1-Wire CRC check failed (\""
              + crc.group(3)
              + "\"): noise on the bus, or a long cable without a strong enough pull-up");
    }
    Matcher t = T_LINE.matcher(lines[1].strip());
    if (!t.matches()) {
      throw new IOException(source + ": unrecognised second line \"" + lines[1].strip() + "\"");
    }
    String[] bytes = crc.group(1).trim().split(" ");
    int lsb = Integer.parseInt(bytes[0], 16);
    int msb = Integer.parseInt(bytes[1], 16);
    if ((msb << 8 | lsb) == POWER_ON_RAW) {
      throw new IOException(
          source
              + ": reads 85 °C, the power-on value: the sensor did not convert "
              + "(check its power, or parasite power on a long bus)");
    }
    double c = celsius(lsb, msb, Integer.parseInt(bytes[4], 16));
    long kernel = Long.parseLong(t.group(2));
    if (Math.abs(c * 1000 - kernel) > 63) {
      throw new IOException(
          source + ": scratchpad says " + c + " °C but the kernel reports t=" + kernel);
    }
    return c;
  }

  private static final class Ds18b20Sensor implements Sensor {
    private final SensorContext ctx;
    private final String device;

    Ds18b20Sensor(SensorContext ctx, String device) {
      this.ctx = ctx;
      this.device = device;
    }

    /** Nothing to release: every read opens and closes the file. */
    @Override
    public void close() {}

    @Override
    public List<Reading> read() throws IOException {
      Path file = ctx.hardware().path(DEVICES + "/" + resolveDevice() + "/w1_slave");
      String content;
      try {
        content = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (NoSuchFileException e) {
        throw new IOException(
            "ds18b20: " + file + " does not exist: the sensor is gone from the bus; " + HINT, e);
      } catch (IOException e) {
        throw new IOException("ds18b20: reading " + file + " failed: " + e.getMessage(), e);
      }
      double c = parse(content, "ds18b20 " + file.getParent().getFileName());
      return List.of(Reading.number("temperature", "Cel", c, ctx.clock().instant()));
    }

    private String resolveDevice() throws IOException {
      if (device != null) {
        return device;
      }
      Path dir = ctx.hardware().path(DEVICES);
      List<String> found = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "28-*")) {
        for (Path p : ds) {
          found.add(p.getFileName().toString());
        }
      } catch (NoSuchFileException e) {
        throw new IOException("ds18b20: " + dir + " does not exist; " + HINT, e);
      }
      if (found.size() == 1) {
        return found.get(0);
      }
      java.util.Collections.sort(found);
      throw new IOException(
          "ds18b20: "
              + (found.isEmpty()
                  ? "no DS18B20 (28-*) found in " + dir + "; " + HINT
                  : found.size()
                      + " DS18B20s found "
                      + found
                      + "; name one with the \"device\" option"));
    }
  }
}
