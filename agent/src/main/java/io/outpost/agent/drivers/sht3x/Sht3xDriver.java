package io.outpost.agent.drivers.sht3x;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.agent.drivers.I2cChip;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.I2cModel;
import io.outpost.plugin.Reading;
import io.outpost.plugin.SensirionCrc;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Sensirion SHT3x (SHT30/SHT31/SHT35) temperature and humidity over I2C, single-shot mode without
 * clock stretching. Each data word is followed by a CRC-8 (poly 0x31, init 0xFF); a word whose CRC
 * does not match fails the reading instead of reporting a wrong value. Readings: {@code
 * temperature} (Cel) = −45 + 175·S/65535, {@code humidity} (%RH) = 100·S/65535, unrounded.
 */
public final class Sht3xDriver implements Driver {
  private static final List<String> REPEATABILITY = List.of("high", "medium", "low");

  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.i2cBus(),
          DriverOption.i2cAddress(
              0x44, List.of(0x44, 0x45), "`0x44` (ADDR to GND) or `0x45` (ADDR to VDD)"),
          DriverOption.choice(
              "repeatability",
              "high",
              REPEATABILITY,
              "`high` (15.5 ms), `medium` (6.5 ms), `low` (4.5 ms)"));

  /** Soft reset command; the datasheet gives 1.5 ms until the chip listens again. */
  static final int CMD_SOFT_RESET = 0x30A2;

  static final int CMD_READ_STATUS = 0xF32D;

  /** Single shot, clock stretching disabled: high, medium, low repeatability. */
  private static final int[] CMD_MEASURE = {0x2400, 0x240B, 0x2416};

  /** Maximum measurement durations from the datasheet (15.5, 6.5, 4.5 ms), rounded up. */
  private static final long[] MEASURE_MILLIS = {16, 7, 5};

  @Override
  public String type() {
    return "sht3x";
  }

  @Override
  public String description() {
    return "Sensirion SHT30/31/35 temperature (Cel) and humidity (%RH) on I2C 0x44/0x45, CRC-checked";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Optional<I2cModel> simulationModel() {
    return Optional.of(new Sht3xModel());
  }

  @Override
  public List<String> modelNames() {
    return List.of("sht3x", "sht31", "sht30", "sht35");
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    int rep = REPEATABILITY.indexOf(v.string("repeatability"));
    return new Sht3xSensor(ctx, v.integer("bus"), v.integer("address"), rep);
  }

  private static final class Sht3xSensor implements Sensor {
    private final SensorContext ctx;
    private final int bus;
    private final int address;
    private final int rep;
    private I2cChip chip;

    Sht3xSensor(SensorContext ctx, int bus, int address, int rep) {
      this.ctx = ctx;
      this.bus = bus;
      this.address = address;
      this.rep = rep;
    }

    @Override
    public void start() throws IOException {
      close();
      chip =
          I2cChip.openAndSetUp(
              ctx.hardware(),
              "sht3x",
              bus,
              address,
              c -> {
                command(c, CMD_SOFT_RESET, "soft reset");
                I2cChip.pause(2);
                // Reading the status word proves an SHT3x answers (right protocol, right CRC)
                // before the first sample.
                command(c, CMD_READ_STATUS, "requesting the status register");
                word(c, c.read(3, "reading the status register"), 0, "status");
              });
    }

    @Override
    public List<Reading> read() throws IOException {
      I2cChip.requireStarted(chip, "sht3x", bus, address);
      command(chip, CMD_MEASURE[rep], "starting a single-shot measurement");
      I2cChip.pause(MEASURE_MILLIS[rep]);
      byte[] d = chip.read(6, "reading the measurement");
      Instant now = ctx.clock().instant();
      int t = word(chip, d, 0, "temperature");
      int h = word(chip, d, 3, "humidity");
      return List.of(
          Reading.number("temperature", "Cel", -45.0 + 175.0 * t / 65535.0, now),
          Reading.number("humidity", "%RH", 100.0 * h / 65535.0, now));
    }

    private static void command(I2cChip c, int cmd, String step) throws IOException {
      c.write(step, cmd >> 8, cmd & 0xFF);
    }

    /** The 16-bit word at {@code d[i..i+1]}, checked against its CRC byte {@code d[i+2]}. */
    private static int word(I2cChip c, byte[] d, int i, String what) throws IOException {
      int msb = d[i] & 0xFF;
      int lsb = d[i + 1] & 0xFF;
      int crc = SensirionCrc.crc8(msb, lsb);
      if (crc != (d[i + 2] & 0xFF)) {
        throw c.problem(
            String.format(
                Locale.ROOT,
                "CRC mismatch on the %s word 0x%02X%02X: received 0x%02X, computed 0x%02X "
                    + "(noise on the bus? check wiring length and pull-ups)",
                what,
                msb,
                lsb,
                d[i + 2] & 0xFF,
                crc));
      }
      return msb << 8 | lsb;
    }

    @Override
    public void close() {
      if (chip != null) {
        chip.close();
        chip = null;
      }
    }
  }
}
