package io.outpost.agent.drivers.ina219;

import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.agent.drivers.I2cChip;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.I2cModel;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * TI INA219 high-side current, voltage and power monitor on I2C (solar and battery Pis), in
 * continuous shunt-and-bus mode at 12 bits.
 *
 * <p>Start: reset (bit 15 of the configuration register), check the configuration reads its reset
 * value 0x399F (the part has no id register), write the calibration {@code trunc(0.04096 /
 * (Current_LSB · R_shunt))} (datasheet equation 1, Current_LSB = maxCurrent / 2^15, equation 2) and
 * the configuration (bus range, PGA). Read: bus voltage (bits 15..3 × 4 mV; the math overflow flag
 * fails the reading), shunt voltage (signed, 10 µV), current (signed, Current_LSB) and power (20 ·
 * Current_LSB), after checking the calibration survived (a browned-out chip forgets it and would
 * report zero current).
 */
public final class Ina219Driver implements Driver {
  static final int REG_CONFIG = 0x00;
  static final int REG_SHUNT = 0x01;
  static final int REG_BUS = 0x02;
  static final int REG_POWER = 0x03;
  static final int REG_CURRENT = 0x04;
  static final int REG_CALIBRATION = 0x05;
  static final int CONFIG_RESET = 0x8000;
  static final int CONFIG_DEFAULT = 0x399F;

  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.i2cBus(),
          DriverOption.i2cAddress(
              0x40,
              List.of(
                  0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C,
                  0x4D, 0x4E, 0x4F),
              "`0x40`..`0x4F` (A0, A1 to GND, VS+, SDA, SCL)"),
          DriverOption.positiveNumber(
              "shuntOhms", 0.1, 10, "ohms", "shunt resistor in ohms (0.1 on most breakouts)"),
          DriverOption.positiveNumber(
              "maxCurrent",
              3.2,
              1000,
              "amperes",
              "largest expected current in A; sets Current_LSB = maxCurrent / 32768"),
          DriverOption.oneOfIntegers(
              "busRange", 32, List.of(16L, 32L), " (volts)", "bus voltage range in V"),
          DriverOption.oneOfIntegers(
              "shuntRange",
              320,
              List.of(40L, 80L, 160L, 320L),
              " (millivolts)",
              "shunt voltage range in mV (the PGA gain: 320 = /8)"));

  @Override
  public String type() {
    return "ina219";
  }

  @Override
  public String description() {
    return "TI INA219 bus voltage (V), shunt voltage (V), current (A), power (W) on I2C 0x40..0x4F";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Optional<I2cModel> simulationModel() {
    return Optional.of(new Ina219Model());
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    double shunt = v.number("shuntOhms");
    int cal = calibration(v.number("maxCurrent") / 32768, shunt);
    if (cal < 1 || cal > 0xFFFE) {
      throw new ConfigException(
          ctx.options().location(),
          "maxCurrent",
          String.format(
              Locale.ROOT,
              "with shuntOhms %s the calibration would be %d, outside 1..65534: "
                  + "choose a maxCurrent near shuntRange / shuntOhms",
              shunt,
              cal));
    }
    int config = config(v.integer("busRange"), v.integer("shuntRange"));
    return new Ina219Sensor(ctx, v.integer("bus"), v.integer("address"), shunt, cal, config);
  }

  /** Datasheet equation 1: {@code trunc(0.04096 / (Current_LSB · R_shunt))}; bit 0 is always 0. */
  static int calibration(double currentLsb, double shuntOhms) {
    // A tiny epsilon keeps exact quotients (e.g. 4096.0 computed as 4095.999…) from truncating.
    return (int) Math.floor(0.04096 / (currentLsb * shuntOhms) * (1 + 1e-12)) & 0xFFFE;
  }

  /** The Current_LSB a calibration value stands for (equation 1 solved for it), in A. */
  static double currentLsb(int calibration, double shuntOhms) {
    return 0.04096 / (calibration * shuntOhms);
  }

  /** Configuration: bus range, PGA, 12-bit bus and shunt ADC, continuous shunt and bus mode. */
  static int config(int busRangeVolts, int shuntRangeMillivolts) {
    int brng = busRangeVolts == 32 ? 1 : 0;
    int pg = Integer.numberOfTrailingZeros(shuntRangeMillivolts / 40);
    return brng << 13 | pg << 11 | 0b0011 << 7 | 0b0011 << 3 | 0b111;
  }

  /** Bus voltage in V from the bus voltage register: bits 15..3, LSB 4 mV. */
  static double busVolts(int register) {
    return (register >> 3) * 0.004;
  }

  /** Shunt voltage in V from the (signed) shunt voltage register, LSB 10 µV. */
  static double shuntVolts(int register) {
    return (short) register * 10e-6;
  }

  private static final class Ina219Sensor implements Sensor {
    private final SensorContext ctx;
    private final int bus;
    private final int address;
    private final int cal;
    private final int config;
    private final double currentLsb;
    private I2cChip chip;

    Ina219Sensor(SensorContext ctx, int bus, int address, double shunt, int cal, int config) {
      this.ctx = ctx;
      this.bus = bus;
      this.address = address;
      this.cal = cal;
      this.config = config;
      this.currentLsb = currentLsb(cal, shunt);
    }

    @Override
    public void start() throws IOException {
      close();
      chip =
          I2cChip.openAndSetUp(
              ctx.hardware(),
              "ina219",
              bus,
              address,
              c -> {
                write(c, REG_CONFIG, CONFIG_RESET, "reset");
                int after = read(c, REG_CONFIG, "reading the configuration after reset");
                if (after != CONFIG_DEFAULT) {
                  throw c.problem(
                      String.format(
                          Locale.ROOT,
                          "configuration is 0x%04X after reset, expected 0x%04X (not an INA219?)",
                          after,
                          CONFIG_DEFAULT));
                }
                write(c, REG_CALIBRATION, cal, "writing the calibration");
                write(c, REG_CONFIG, config, "writing the configuration");
              });
    }

    @Override
    public List<Reading> read() throws IOException {
      I2cChip.requireStarted(chip, "ina219", bus, address);
      int calNow = read(chip, REG_CALIBRATION, "reading the calibration");
      if (calNow != cal) {
        throw chip.problem(
            String.format(
                Locale.ROOT,
                "calibration is 0x%04X, expected 0x%04X (the chip was reset or browned out)",
                calNow,
                cal));
      }
      int busReg = read(chip, REG_BUS, "reading the bus voltage");
      if ((busReg & 1) != 0) {
        throw chip.problem(
            "math overflow: current or power is out of range (raise maxCurrent or shuntRange)");
      }
      int shunt = read(chip, REG_SHUNT, "reading the shunt voltage");
      int current = read(chip, REG_CURRENT, "reading the current");
      int power = read(chip, REG_POWER, "reading the power");
      Instant now = ctx.clock().instant();
      List<Reading> out = new ArrayList<>(4);
      out.add(Reading.number("busVoltage", "V", busVolts(busReg), now));
      out.add(Reading.number("shuntVoltage", "V", shuntVolts(shunt), now));
      out.add(Reading.number("current", "A", (short) current * currentLsb, now));
      out.add(Reading.number("power", "W", power * 20 * currentLsb, now));
      return out;
    }

    private static int read(I2cChip c, int register, String step) throws IOException {
      byte[] b = c.readRegisters(register, 2, step);
      return (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
    }

    private static void write(I2cChip c, int register, int value, String step) throws IOException {
      c.write(step, register, value >> 8 & 0xFF, value & 0xFF);
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
