package io.outpost.agent.drivers.ads1115;

import io.outpost.agent.drivers.Channels;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TI ADS1115 16-bit ADC over I2C, single-shot conversions of named channels, single-ended ({@code
 * "AIN0"}) or differential ({@code "AIN0-AIN1"}). Each channel is one reading in volts: code · FS /
 * 32768, where FS is the programmable full scale ({@code fullScale}).
 */
public final class Ads1115Driver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.i2cBus(),
          DriverOption.i2cAddress(
              0x48, List.of(0x48, 0x49, 0x4A, 0x4B), "`0x48`..`0x4B` (ADDR to GND, VDD, SDA, SCL)"),
          DriverOption.oneOfNumbers(
              "fullScale",
              4.096,
              List.of(6.144, 4.096, 2.048, 1.024, 0.512, 0.256),
              " (volts)",
              "±full-scale range in volts (the PGA setting)"),
          DriverOption.oneOfIntegers(
              "dataRate",
              128,
              List.of(8L, 16L, 32L, 64L, 128L, 250L, 475L, 860L),
              " (samples/s)",
              "samples per second (a conversion takes 1/dataRate)"),
          DriverOption.object(
              "channels",
              true,
              "record name → input: `AIN0`..`AIN3` or `AIN0-AIN1`, `AIN0-AIN3`, `AIN1-AIN3`,"
                  + " `AIN2-AIN3`"));

  static final int REG_CONVERSION = 0;
  static final int REG_CONFIG = 1;

  /** Full-scale ranges in volts, indexed by the PGA field (datasheet table 8.3.3). */
  static final List<Double> FULL_SCALES = List.of(6.144, 4.096, 2.048, 1.024, 0.512, 0.256);

  /** Data rates in samples per second, indexed by the DR field. */
  static final List<Integer> DATA_RATES = List.of(8, 16, 32, 64, 128, 250, 475, 860);

  /** MUX field values, datasheet table 8: differential pairs first, then single-ended to GND. */
  static final Map<String, Integer> INPUTS = inputs();

  private static Map<String, Integer> inputs() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("AIN0-AIN1", 0);
    m.put("AIN0-AIN3", 1);
    m.put("AIN1-AIN3", 2);
    m.put("AIN2-AIN3", 3);
    m.put("AIN0", 4);
    m.put("AIN1", 5);
    m.put("AIN2", 6);
    m.put("AIN3", 7);
    return m;
  }

  @Override
  public String type() {
    return "ads1115";
  }

  @Override
  public String description() {
    return "TI ADS1115 16-bit ADC (V), single-ended or differential channels, on I2C 0x48..0x4B";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Optional<I2cModel> simulationModel() {
    return Optional.of(new Ads1115Model());
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    double fs = v.number("fullScale");
    int rate = v.integer("dataRate");
    Map<String, Integer> channels = Channels.parse(ctx.options(), INPUTS, "AIN0");
    return new Ads1115Sensor(
        ctx,
        v.integer("bus"),
        v.integer("address"),
        FULL_SCALES.indexOf(fs),
        fs,
        DATA_RATES.indexOf(rate),
        rate,
        channels);
  }

  private static final class Ads1115Sensor implements Sensor {
    private final SensorContext ctx;
    private final int bus;
    private final int address;
    private final int pga;
    private final double fullScale;
    private final int dr;
    private final long conversionMillis;
    private final Map<String, Integer> channels;
    private I2cChip chip;

    Ads1115Sensor(
        SensorContext ctx,
        int bus,
        int address,
        int pga,
        double fullScale,
        int dr,
        int rate,
        Map<String, Integer> channels) {
      this.ctx = ctx;
      this.bus = bus;
      this.address = address;
      this.pga = pga;
      this.fullScale = fullScale;
      this.dr = dr;
      // One conversion takes 1/DR; the internal oscillator may run 10 % slow (datasheet 7.5).
      this.conversionMillis = (long) Math.ceil(1000.0 / rate * 1.1) + 1;
      this.channels = channels;
    }

    @Override
    public void start() throws IOException {
      close();
      chip =
          I2cChip.openAndSetUp(
              ctx.hardware(),
              "ads1115",
              bus,
              address,
              c -> {
                // Reading the config register proves the chip answers; OS=0 at rest would mean it
                // is mid-conversion.
                c.write("selecting the config register", REG_CONFIG);
                c.read(2, "reading the config register");
              });
    }

    @Override
    public List<Reading> read() throws IOException {
      I2cChip.requireStarted(chip, "ads1115", bus, address);
      List<Reading> out = new ArrayList<>(channels.size());
      for (Map.Entry<String, Integer> ch : channels.entrySet()) {
        int config =
            1 << 15 // OS: start a single conversion
                | ch.getValue() << 12 // MUX
                | pga << 9 // PGA
                | 1 << 8 // MODE: single-shot, power down after
                | dr << 5 // data rate
                | 0b11; // comparator disabled
        chip.write(
            "starting a conversion of " + ch.getKey(), REG_CONFIG, config >> 8, config & 0xFF);
        I2cChip.pause(conversionMillis);
        int tries = 0;
        while (!conversionDone()) {
          if (++tries > 10) {
            throw chip.problem(
                "conversion of "
                    + ch.getKey()
                    + " not finished "
                    + (conversionMillis + tries)
                    + " ms after it was started");
          }
          I2cChip.pause(1);
        }
        chip.write("selecting the conversion register", REG_CONVERSION);
        byte[] d = chip.read(2, "reading the conversion of " + ch.getKey());
        Instant now = ctx.clock().instant();
        out.add(
            Reading.number(
                ch.getKey(),
                "V",
                volts((short) ((d[0] & 0xFF) << 8 | (d[1] & 0xFF)), fullScale),
                now));
      }
      return out;
    }

    private boolean conversionDone() throws IOException {
      chip.write("selecting the config register", REG_CONFIG);
      byte[] d = chip.read(2, "reading the config register");
      return (d[0] & 0x80) != 0;
    }

    @Override
    public void close() {
      if (chip != null) {
        chip.close();
        chip = null;
      }
    }
  }

  /** Volts from a signed conversion code: the datasheet's transfer function, code · FS / 2^15. */
  static double volts(int code, double fullScale) {
    return code * fullScale / 32768.0;
  }
}
