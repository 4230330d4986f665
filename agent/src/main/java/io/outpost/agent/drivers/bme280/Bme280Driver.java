package io.outpost.agent.drivers.bme280;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.agent.drivers.I2cChip;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bosch BME280 (temperature, pressure, humidity) and BMP280 (temperature, pressure) over I2C, in
 * forced mode: each read triggers one measurement, so the chip sleeps between samples.
 *
 * <p>Start: check the chip id (0x60 BME280, 0x58 BMP280), soft reset (0xB6 to 0xE0), wait for the
 * NVM copy, read the calibration. Read: write ctrl_hum then ctrl_meas with mode forced, wait the
 * datasheet's maximum measurement time, poll the status register's {@code measuring} bit,
 * burst-read the data registers and compensate with {@link Bme280Calibration}. Readings: {@code
 * temperature} (Cel), {@code pressure} (Pa), {@code humidity} (%RH, BME280 only), unrounded.
 */
public final class Bme280Driver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.i2cBus(),
          DriverOption.i2cAddress(
              0x76, List.of(0x76, 0x77), "`0x76` (SDO to GND) or `0x77` (SDO to 3V3)"),
          DriverOption.oneOfIntegers(
              "oversampling",
              1,
              List.of(1L, 2L, 4L, 8L, 16L),
              "",
              "for all quantities (more = less noise, longer measurement)"),
          DriverOption.oneOfIntegers(
              "filter",
              0,
              List.of(0L, 2L, 4L, 8L, 16L),
              " (0 = off)",
              "IIR filter coefficient, 0 = off"));

  static final int REG_CHIP_ID = 0xD0;
  static final int REG_RESET = 0xE0;
  static final int REG_CTRL_HUM = 0xF2;
  static final int REG_STATUS = 0xF3;
  static final int REG_CTRL_MEAS = 0xF4;
  static final int REG_CONFIG = 0xF5;
  static final int REG_DATA = 0xF7;
  static final int CHIP_ID_BME280 = 0x60;
  static final int CHIP_ID_BMP280 = 0x58;

  /** Raw value the chip reports for a quantity that was skipped or never measured (reset value). */
  static final int SKIPPED_20BIT = 0x80000;

  static final int SKIPPED_16BIT = 0x8000;
  private static final List<Integer> OVERSAMPLING = List.of(1, 2, 4, 8, 16);
  private static final List<Integer> FILTER = List.of(0, 2, 4, 8, 16);

  private final boolean humidity;

  private Bme280Driver(boolean humidity) {
    this.humidity = humidity;
  }

  /** The {@code bme280} type. */
  public static Bme280Driver bme280() {
    return new Bme280Driver(true);
  }

  /** The {@code bmp280} type (no humidity). */
  public static Bme280Driver bmp280() {
    return new Bme280Driver(false);
  }

  @Override
  public String type() {
    return humidity ? "bme280" : "bmp280";
  }

  @Override
  public String description() {
    return humidity
        ? "Bosch BME280 temperature (Cel), pressure (Pa), humidity (%RH) on I2C 0x76/0x77"
        : "Bosch BMP280 temperature (Cel), pressure (Pa) on I2C 0x76/0x77";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    return new Bme280Sensor(
        ctx,
        v.integer("bus"),
        v.integer("address"),
        v.integer("oversampling"),
        v.integer("filter"));
  }

  private final class Bme280Sensor implements Sensor {
    private final SensorContext ctx;
    private final int bus;
    private final int address;
    private final int osrsCode;
    private final int filterCode;
    private final long measureMillis;
    private I2cChip chip;
    private Bme280Calibration cal;

    Bme280Sensor(SensorContext ctx, int bus, int address, int osrs, int filter) {
      this.ctx = ctx;
      this.bus = bus;
      this.address = address;
      this.osrsCode = OVERSAMPLING.indexOf(osrs) + 1;
      this.filterCode = FILTER.indexOf(filter);
      // Datasheet §9.1, maximum measurement time: 1.25 + 2.3*T + (2.3*P + 0.575) + (2.3*H + 0.575)
      // ms.
      double ms = 1.25 + 2.3 * osrs + 2.3 * osrs + 0.575 + (humidity ? 2.3 * osrs + 0.575 : 0);
      this.measureMillis = (long) Math.ceil(ms);
    }

    @Override
    public void start() throws IOException {
      close();
      chip =
          I2cChip.openAndSetUp(
              ctx.hardware(),
              type(),
              bus,
              address,
              c -> {
                int id = c.readRegister(REG_CHIP_ID, "reading the chip id");
                int expected = humidity ? CHIP_ID_BME280 : CHIP_ID_BMP280;
                if (id != expected) {
                  String other =
                      id == CHIP_ID_BMP280
                          ? " (that is a BMP280: use type \"bmp280\")"
                          : id == CHIP_ID_BME280
                              ? " (that is a BME280: use type \"bme280\")"
                              : "; is another part at this address?";
                  throw c.problem(
                      String.format(
                          Locale.ROOT,
                          "chip id is 0x%02X, expected 0x%02X%s",
                          id,
                          expected,
                          other));
                }
                c.writeRegister(REG_RESET, 0xB6, "soft reset");
                waitForNvmCopy(c);
                byte[] b1 =
                    c.readRegisters(
                        Bme280Calibration.BLOCK1_START,
                        Bme280Calibration.BLOCK1_LENGTH,
                        "reading calibration 0x88..0xA1");
                byte[] b2 =
                    humidity
                        ? c.readRegisters(
                            Bme280Calibration.BLOCK2_START,
                            Bme280Calibration.BLOCK2_LENGTH,
                            "reading calibration 0xE1..0xE7")
                        : null;
                Bme280Calibration parsed = Bme280Calibration.parse(b1, b2);
                if (parsed.t1() == 0 || parsed.p1() == 0) {
                  throw c.problem(
                      "calibration is blank (dig_T1 = "
                          + parsed.t1()
                          + ", dig_P1 = "
                          + parsed.p1()
                          + "); the NVM read failed or this is not a genuine part");
                }
                c.writeRegister(REG_CONFIG, filterCode << 2, "writing config (filter)");
                cal = parsed;
              });
    }

    private void waitForNvmCopy(I2cChip c) throws IOException {
      I2cChip.pause(2); // start-up time after reset, datasheet table 1
      for (int i = 0; i < 10; i++) {
        if ((c.readRegister(REG_STATUS, "reading status after reset") & 0x01) == 0) {
          return;
        }
        I2cChip.pause(1);
      }
      throw c.problem("still copying its calibration (status im_update = 1) 12 ms after reset");
    }

    @Override
    public List<Reading> read() throws IOException {
      I2cChip.requireStarted(chip, type(), bus, address);
      if (humidity) {
        chip.writeRegister(REG_CTRL_HUM, osrsCode, "writing ctrl_hum");
      }
      // ctrl_meas must follow ctrl_hum for the humidity setting to take effect (datasheet §5.4.3).
      chip.writeRegister(
          REG_CTRL_MEAS, osrsCode << 5 | osrsCode << 2 | 0b01, "starting a forced measurement");
      I2cChip.pause(measureMillis);
      int tries = 0;
      while ((chip.readRegister(REG_STATUS, "reading status") & 0x08) != 0) {
        if (++tries > 20) {
          throw chip.problem(
              "measurement still running " + (measureMillis + tries) + " ms after it was started");
        }
        I2cChip.pause(1);
      }
      byte[] d = chip.readRegisters(REG_DATA, humidity ? 8 : 6, "reading the data registers");
      Instant now = ctx.clock().instant();
      int adcP = (d[0] & 0xFF) << 12 | (d[1] & 0xFF) << 4 | (d[2] & 0xFF) >> 4;
      int adcT = (d[3] & 0xFF) << 12 | (d[4] & 0xFF) << 4 | (d[5] & 0xFF) >> 4;
      if (adcT == SKIPPED_20BIT) {
        throw chip.problem("temperature was not measured (raw 0x80000, the reset value)");
      }
      int tFine = cal.tFine(adcT);
      List<Reading> out = new ArrayList<>(3);
      out.add(Reading.number("temperature", "Cel", cal.temperature(adcT), now));
      if (adcP == SKIPPED_20BIT) {
        throw chip.problem("pressure was not measured (raw 0x80000, the reset value)");
      }
      try {
        out.add(Reading.number("pressure", "Pa", cal.pressure(adcP, tFine), now));
      } catch (ArithmeticException e) {
        throw chip.problem(e.getMessage());
      }
      if (humidity) {
        int adcH = (d[6] & 0xFF) << 8 | (d[7] & 0xFF);
        if (adcH == SKIPPED_16BIT) {
          throw chip.problem("humidity was not measured (raw 0x8000, the reset value)");
        }
        out.add(Reading.number("humidity", "%RH", cal.humidity(adcH, tFine), now));
      }
      return out;
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
