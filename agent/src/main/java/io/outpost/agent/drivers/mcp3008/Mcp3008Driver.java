package io.outpost.agent.drivers.mcp3008;

import io.outpost.agent.drivers.Channels;
import io.outpost.agent.drivers.Driver;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import io.outpost.plugin.SpiDevice;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Microchip MCP3008 8-channel 10-bit ADC over SPI (mode 0). Channels are single-ended ({@code
 * "CH0"}) or pseudo-differential pairs ({@code "CH0-CH1"}, IN+ first). Each channel is one reading:
 * volts (code · Vref / 1024, datasheet equation 4-1) or, with {@code "output": "ratio"}, the
 * fraction of Vref (unit {@code /}).
 */
public final class Mcp3008Driver implements Driver {
  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.integer("bus", 0, 0, 6, "SPI bus, `/dev/spidev<bus>.<chipSelect>`"),
          DriverOption.integer(
              "chipSelect", 0, 0, 2, "chip select: 0 = CE0 (pin 24), 1 = CE1 (pin 26)"),
          // 3.6 MHz is the datasheet's maximum at VDD = 5 V, 1.35 MHz at 2.7 V; 1 MHz is safe at
          // 3.3 V.
          DriverOption.integer(
              "speedHz", 1_000_000, 10_000, 3_600_000, "SPI clock in Hz (1 MHz is safe at 3.3 V)"),
          DriverOption.positiveNumber(
              "vref", 3.3, 5.5, "volts", "reference voltage in volts (VREF pin)"),
          DriverOption.choice(
              "output", "volts", List.of("volts", "ratio"), "`volts` (V) or `ratio` of Vref (`/`)"),
          DriverOption.object(
              "channels",
              true,
              "record name → input: `CH0`..`CH7` or a differential pair such as `CH0-CH1`"));

  private static final Map<String, Integer> INPUTS = inputs();

  /** Value is the SGL/DIFF bit and D2..D0 as sent in the second byte's high nibble. */
  private static Map<String, Integer> inputs() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      m.put("CH" + i, 0b1000 | i);
    }
    for (int i = 0; i < 8; i++) {
      // Pairs are CH0/CH1, CH2/CH3, …; D2..D0 is the IN+ channel's number (datasheet table 5-2).
      int other = i ^ 1;
      m.put("CH" + i + "-CH" + other, i);
    }
    return m;
  }

  @Override
  public String type() {
    return "mcp3008";
  }

  @Override
  public String description() {
    return "Microchip MCP3008 10-bit ADC on SPI (V or ratio of Vref), single-ended or differential channels";
  }

  @Override
  public DriverOptions options() {
    return OPTIONS;
  }

  @Override
  public Sensor create(SensorContext ctx) throws ConfigException {
    DriverOptions.Values v = OPTIONS.check(ctx.options());
    boolean ratio = v.string("output").equals("ratio");
    Map<String, Integer> channels = Channels.parse(ctx.options(), INPUTS, "CH0");
    return new Mcp3008Sensor(
        ctx,
        v.integer("bus"),
        v.integer("chipSelect"),
        v.integer("speedHz"),
        v.number("vref"),
        ratio,
        channels);
  }

  /**
   * The request for one conversion: start bit, then SGL/DIFF and D2..D0, then 8 clocks for the
   * result.
   */
  static byte[] request(int input) {
    return new byte[] {0x01, (byte) (input << 4), 0x00};
  }

  /**
   * The 10-bit code in a response; throws when the null bit before B9 is not low, which is what a
   * floating or stuck-high MISO line (no chip, wrong chip select) looks like.
   */
  static int code(byte[] rx) throws IOException {
    if ((rx[1] & 0x04) != 0) {
      throw new IOException("the null bit before the result is high (MISO floating or stuck high)");
    }
    return (rx[1] & 0x03) << 8 | (rx[2] & 0xFF);
  }

  private static final class Mcp3008Sensor implements Sensor {
    private final SensorContext ctx;
    private final int bus;
    private final int cs;
    private final int speed;
    private final double vref;
    private final boolean ratio;
    private final Map<String, Integer> channels;
    private SpiDevice spi;

    Mcp3008Sensor(
        SensorContext ctx,
        int bus,
        int cs,
        int speed,
        double vref,
        boolean ratio,
        Map<String, Integer> channels) {
      this.ctx = ctx;
      this.bus = bus;
      this.cs = cs;
      this.speed = speed;
      this.vref = vref;
      this.ratio = ratio;
      this.channels = channels;
    }

    private String where() {
      return "mcp3008 on SPI /dev/spidev" + bus + "." + cs;
    }

    @Override
    public void start() throws IOException {
      close();
      try {
        spi = ctx.hardware().spi(bus, cs, speed, 0);
      } catch (IOException e) {
        throw new IOException(
            where()
                + ": opening the device failed: "
                + e.getMessage()
                + (String.valueOf(e.getMessage()).contains("raspi-config")
                    ? ""
                    : "; is SPI enabled (raspi-config)?"),
            e);
      }
    }

    @Override
    public List<Reading> read() throws IOException {
      if (spi == null) {
        throw new IOException(where() + ": not started");
      }
      List<Reading> out = new ArrayList<>(channels.size());
      for (Map.Entry<String, Integer> ch : channels.entrySet()) {
        int code;
        try {
          code = code(spi.transfer(request(ch.getValue())));
        } catch (IOException e) {
          throw new IOException(
              where()
                  + ": reading "
                  + ch.getKey()
                  + " failed: "
                  + e.getMessage()
                  + "; is the MCP3008 wired to MOSI/MISO/SCLK and the right chip select?",
              e);
        }
        Instant now = ctx.clock().instant();
        out.add(
            ratio
                ? Reading.number(ch.getKey(), "/", code / 1024.0, now)
                : Reading.number(ch.getKey(), "V", code * vref / 1024.0, now));
      }
      return out;
    }

    @Override
    public void close() {
      if (spi != null) {
        try {
          spi.close();
        } catch (IOException e) {
          // Nothing to retry; the next start() opens a new handle.
        }
        spi = null;
      }
    }
  }
}
