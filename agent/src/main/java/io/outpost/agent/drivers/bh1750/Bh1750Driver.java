package io.outpost.agent.drivers.bh1750;

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
import java.util.List;
import java.util.Optional;

/**
 * ROHM BH1750FVI ambient light over I2C, one-time measurement mode (the chip powers down between
 * samples). Reading: {@code illuminance} (lx) = count / 1.2 · (69 / MTreg), halved in H-resolution
 * mode 2, as in the datasheet's measurement sequence example.
 */
public final class Bh1750Driver implements Driver {
  private static final List<String> MODES = List.of("high", "high2", "low");

  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.i2cBus(),
          DriverOption.i2cAddress(
              0x23, List.of(0x23, 0x5C), "`0x23` (ADDR to GND) or `0x5C` (ADDR to VCC)"),
          DriverOption.choice(
              "mode", "high", MODES, "`high` (1 lx), `high2` (0.5 lx), `low` (4 lx, 24 ms)"),
          DriverOption.integer(
              "mtreg", 69, 31, 254, "measurement time register: sensitivity ×(mtreg/69)"));

  static final int OP_POWER_ON = 0x01;
  static final int OP_RESET = 0x07;
  private static final int[] OP_ONE_TIME = {0x20, 0x21, 0x23};

  /** Maximum measurement times at MTreg 69 (datasheet: H 180 ms, L 24 ms). */
  private static final long[] MAX_MILLIS = {180, 180, 24};

  private static final int DEFAULT_MTREG = 69;

  @Override
  public String type() {
    return "bh1750";
  }

  @Override
  public String description() {
    return "ROHM BH1750 ambient light (lx) on I2C 0x23/0x5C";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Optional<I2cModel> simulationModel() {
    return Optional.of(new Bh1750Model());
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    int mode = MODES.indexOf(v.string("mode"));
    return new Bh1750Sensor(ctx, v.integer("bus"), v.integer("address"), mode, v.integer("mtreg"));
  }

  /** Lux from a raw count: the datasheet's count / 1.2, scaled for MTreg and H2 mode. */
  static double lux(int count, int mtreg, boolean high2) {
    return count / 1.2 * (DEFAULT_MTREG / (double) mtreg) / (high2 ? 2.0 : 1.0);
  }

  private static final class Bh1750Sensor implements Sensor {
    private final SensorContext ctx;
    private final int bus;
    private final int address;
    private final int mode;
    private final int mtreg;
    private I2cChip chip;

    Bh1750Sensor(SensorContext ctx, int bus, int address, int mode, int mtreg) {
      this.ctx = ctx;
      this.bus = bus;
      this.address = address;
      this.mode = mode;
      this.mtreg = mtreg;
    }

    @Override
    public void start() throws IOException {
      close();
      chip =
          I2cChip.openAndSetUp(
              ctx.hardware(),
              "bh1750",
              bus,
              address,
              c -> {
                c.write("power on", OP_POWER_ON);
                c.write("reset", OP_RESET);
                // MTreg is written in two halves: 01000_hhh and 011_lllll.
                c.write("setting MTreg (high bits)", 0x40 | (mtreg >> 5));
                c.write("setting MTreg (low bits)", 0x60 | (mtreg & 0x1F));
              });
    }

    @Override
    public List<Reading> read() throws IOException {
      I2cChip.requireStarted(chip, "bh1750", bus, address);
      chip.write("starting a one-time measurement", OP_ONE_TIME[mode]);
      I2cChip.pause((long) Math.ceil(MAX_MILLIS[mode] * mtreg / (double) DEFAULT_MTREG));
      byte[] d = chip.read(2, "reading the measurement");
      int count = (d[0] & 0xFF) << 8 | (d[1] & 0xFF);
      return List.of(
          Reading.number("illuminance", "lx", lux(count, mtreg, mode == 1), ctx.clock().instant()));
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
