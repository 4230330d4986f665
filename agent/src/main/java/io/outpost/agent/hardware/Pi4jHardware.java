package io.outpost.agent.hardware;

import com.pi4j.Pi4J;
import com.pi4j.boardinfo.definition.BoardModel;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.io.spi.Spi;
import com.pi4j.io.spi.SpiChipSelect;
import io.outpost.log.Logger;
import io.outpost.plugin.GpioInput;
import io.outpost.plugin.GpioOutput;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.I2cDevice;
import io.outpost.plugin.SpiDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The real buses and pins through Pi4J 2: I2C and SPI with the {@code linuxfs} providers ({@code
 * /dev/i2c-N}, {@code /dev/spidevB.C}), GPIO with {@code gpiod} ({@code /dev/gpiochip0}). Neither
 * needs root: the agent's user is in the {@code i2c}, {@code spi} and {@code gpio} groups.
 *
 * <p>One Pi4J context serves the whole process (Pi4J keeps a registry of claimed I/O per context,
 * and the GPIO chip should be opened once); it is created on first use, so configurations that
 * never touch real hardware (simulated profiles, {@code outpost check}) never load Pi4J's natives.
 * Every Pi4J runtime exception is turned into an {@link IOException} naming the bus/pin and a hint;
 * off a Raspberry Pi the hint is the board it is and what the interface needs ({@link OffPi}).
 * Thread-safe.
 */
final class Pi4jHardware implements Hardware {
  static final Pi4jHardware INSTANCE = new Pi4jHardware(Path.of("/"));

  private static final String I2C_HINT =
      "is I2C enabled (raspi-config, dtparam=i2c_arm=on)? "
          + "is the device wired to SDA/SCL and powered? is the address right (i2cdetect -y BUS)?";
  private static final String SPI_HINT =
      "is SPI enabled (raspi-config, dtparam=spi=on)? " + "is the chip select right?";
  private static final String GPIO_HINT =
      "is the pin free (not used by another program or overlay)? "
          + "is the agent's user in group gpio?";

  private final AtomicLong ids = new AtomicLong();
  private final Path root;
  private Context context;

  /**
   * @param root where the board's model files and device nodes are read ({@code /} but in tests);
   *     Pi4J itself always looks at the real machine
   */
  Pi4jHardware(Path root) {
    this.root = root;
  }

  private synchronized Context context() throws IOException {
    if (context == null) {
      try {
        context = Pi4J.newAutoContext();
      } catch (RuntimeException | LinkageError e) {
        throw new IOException("starting Pi4J failed: " + e.getMessage(), e);
      }
      // Pi4J's own board-detection lines are silenced (see cli.Logging); this is their one-line
      // summary.
      BoardModel board = boardModel(context);
      if (board == BoardModel.UNKNOWN) {
        Logger.warn(
            "Pi4J does not recognise this machine as a Raspberry Pi (this is {}); "
                + "real GPIO, I2C and SPI will probably fail",
            Board.detect(root).describe());
      } else if (board != null) {
        Logger.info("Pi4J started on {}", board.getLabel());
      }
    }
    return context;
  }

  private static BoardModel boardModel(Context ctx) {
    try {
      return ctx.boardInfo().getBoardModel();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Shuts the Pi4J context down (if one was created); later calls create a new one. */
  synchronized void shutdown() {
    if (context != null) {
      try {
        context.shutdown();
      } catch (RuntimeException e) {
        Logger.warn("shutting Pi4J down failed: {}", e.getMessage());
      }
      context = null;
    }
  }

  /**
   * The error for {@code what} (e.g. {@code claiming GPIO 17 as input}) failing with {@code e}: off
   * a Raspberry Pi the board and what the interface needs (Pi4J's message misleads there, so it is
   * only the cause), on a Pi Pi4J's message and {@code hint}.
   */
  private IOException failed(String what, Exception e, String hint, Function<OffPi, String> offPi) {
    Board board = Board.detect(root);
    if (!board.raspberryPi()) {
      return new IOException(what + " failed: " + offPi.apply(new OffPi(root, board)), e);
    }
    return new IOException(what + " failed: " + e.getMessage() + "; " + hint, e);
  }

  private String id(String kind) {
    return "outpost-" + kind + "-" + ids.incrementAndGet();
  }

  @Override
  public I2cDevice i2c(int bus, int address) throws IOException {
    String where = String.format(Locale.ROOT, "I2C device 0x%02X on bus %d", address, bus);
    try {
      Context ctx = context();
      I2C i2c =
          ctx.create(
              I2C.newConfigBuilder(ctx)
                  .id(id("i2c"))
                  .bus(bus)
                  .device(address)
                  .provider("linuxfs-i2c")
                  .build());
      return new RealI2c(ctx, i2c, where);
    } catch (IOException | RuntimeException e) {
      throw failed("opening " + where, e, I2C_HINT, off -> off.i2c(bus));
    }
  }

  @Override
  public SpiDevice spi(int bus, int chipSelect, int speedHz, int mode) throws IOException {
    String where = "SPI /dev/spidev" + bus + "." + chipSelect;
    try {
      Context ctx = context();
      Spi spi =
          ctx.create(
              Spi.newConfigBuilder(ctx)
                  .id(id("spi"))
                  .bus(bus)
                  .chipSelect(SpiChipSelect.getByNumber(chipSelect))
                  .baud(speedHz)
                  .mode(mode)
                  .provider("linuxfs-spi")
                  .build());
      return new RealSpi(ctx, spi, where);
    } catch (IOException | RuntimeException e) {
      throw failed("opening " + where, e, SPI_HINT, off -> off.spi(bus, chipSelect));
    }
  }

  @Override
  public GpioInput gpioInput(int bcmPin, Pull pull, Duration debounce) throws IOException {
    try {
      Context ctx = context();
      PullResistance pr =
          switch (pull) {
            case UP -> PullResistance.PULL_UP;
            case DOWN -> PullResistance.PULL_DOWN;
            case NONE -> PullResistance.OFF;
          };
      DigitalInput in =
          ctx.create(
              DigitalInput.newConfigBuilder(ctx)
                  .id(id("in"))
                  .address(bcmPin)
                  .pull(pr)
                  .debounce(debounce.toNanos() / 1000)
                  .provider("gpiod-digital-input")
                  .build());
      return new RealInput(ctx, in, bcmPin);
    } catch (IOException | RuntimeException e) {
      throw failed("claiming GPIO " + bcmPin + " as input", e, GPIO_HINT, OffPi::gpio);
    }
  }

  @Override
  public GpioOutput gpioOutput(int bcmPin, boolean initial) throws IOException {
    try {
      Context ctx = context();
      DigitalOutput out =
          ctx.create(
              DigitalOutput.newConfigBuilder(ctx)
                  .id(id("out"))
                  .address(bcmPin)
                  .initial(initial ? DigitalState.HIGH : DigitalState.LOW)
                  .provider("gpiod-digital-output")
                  .build());
      return new RealOutput(ctx, out, bcmPin, initial);
    } catch (IOException | RuntimeException e) {
      throw failed("claiming GPIO " + bcmPin + " as output", e, GPIO_HINT, OffPi::gpio);
    }
  }

  @Override
  public Path path(String absolutePath) {
    return Path.of(absolutePath);
  }

  private static void release(Context ctx, String id) {
    try {
      ctx.shutdown(id);
    } catch (RuntimeException e) {
      Logger.debug("releasing Pi4J I/O {} failed: {}", id, e.getMessage());
    }
  }

  private static final class RealI2c implements I2cDevice {
    private final Context ctx;
    private final I2C i2c;
    private final String where;

    RealI2c(Context ctx, I2C i2c, String where) {
      this.ctx = ctx;
      this.i2c = i2c;
      this.where = where;
    }

    private IOException fail(String step, RuntimeException e) {
      return new IOException(
          step + " " + where + " failed: " + e.getMessage() + "; " + I2C_HINT, e);
    }

    private static void count(int got, int wanted, String step) throws IOException {
      if (got < 0) {
        throw new IOException(step + " failed with error " + got + "; " + I2C_HINT);
      }
      if (got != wanted) {
        throw new IOException(
            step + " transferred " + got + " of " + wanted + " bytes; " + I2C_HINT);
      }
    }

    @Override
    public int readRegister(int register) throws IOException {
      try {
        int v = i2c.readRegister(register);
        if (v < 0) {
          throw new IOException(
              "reading register "
                  + register
                  + " of "
                  + where
                  + " failed with error "
                  + v
                  + "; "
                  + I2C_HINT);
        }
        return v & 0xFF;
      } catch (RuntimeException e) {
        throw fail("reading register " + register + " of", e);
      }
    }

    @Override
    public void readRegisters(int register, byte[] buffer, int offset, int length)
        throws IOException {
      try {
        count(
            i2c.readRegister(register, buffer, offset, length),
            length,
            "reading " + length + " bytes at register " + register + " of " + where);
      } catch (RuntimeException e) {
        throw fail("reading registers of", e);
      }
    }

    @Override
    public void writeRegister(int register, int value) throws IOException {
      try {
        int n = i2c.writeRegister(register, (byte) value);
        if (n < 0) {
          throw new IOException(
              "writing register "
                  + register
                  + " of "
                  + where
                  + " failed with error "
                  + n
                  + "; "
                  + I2C_HINT);
        }
      } catch (RuntimeException e) {
        throw fail("writing register " + register + " of", e);
      }
    }

    @Override
    public void write(byte[] data) throws IOException {
      try {
        count(i2c.write(data, 0, data.length), data.length, "writing to " + where);
      } catch (RuntimeException e) {
        throw fail("writing to", e);
      }
    }

    @Override
    public void read(byte[] buffer, int offset, int length) throws IOException {
      try {
        count(i2c.read(buffer, offset, length), length, "reading from " + where);
      } catch (RuntimeException e) {
        throw fail("reading from", e);
      }
    }

    @Override
    public void close() {
      release(ctx, i2c.id());
    }
  }

  private static final class RealSpi implements SpiDevice {
    private final Context ctx;
    private final Spi spi;
    private final String where;

    RealSpi(Context ctx, Spi spi, String where) {
      this.ctx = ctx;
      this.spi = spi;
      this.where = where;
    }

    @Override
    public byte[] transfer(byte[] tx) throws IOException {
      byte[] rx = new byte[tx.length];
      try {
        int n = spi.transfer(tx, 0, rx, 0, tx.length);
        if (n != tx.length) {
          throw new IOException(
              "SPI transfer on "
                  + where
                  + " moved "
                  + n
                  + " of "
                  + tx.length
                  + " bytes; "
                  + SPI_HINT);
        }
        return rx;
      } catch (RuntimeException e) {
        throw new IOException(
            "SPI transfer on " + where + " failed: " + e.getMessage() + "; " + SPI_HINT, e);
      }
    }

    @Override
    public void close() {
      release(ctx, spi.id());
    }
  }

  private static final class RealInput implements GpioInput {
    private final Context ctx;
    private final DigitalInput in;
    private final int pin;
    private final CopyOnWriteArrayList<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();

    RealInput(Context ctx, DigitalInput in, int pin) {
      this.ctx = ctx;
      this.in = in;
      this.pin = pin;
      in.addListener(
          e -> {
            boolean high = e.state() == DigitalState.HIGH;
            for (Consumer<Boolean> l : listeners) {
              try {
                l.accept(high);
              } catch (RuntimeException ex) {
                Logger.warn("GPIO {} listener failed: {}", pin, ex.toString());
              }
            }
          });
    }

    @Override
    public boolean read() throws IOException {
      try {
        return in.state() == DigitalState.HIGH;
      } catch (RuntimeException e) {
        throw new IOException(
            "reading GPIO " + pin + " failed: " + e.getMessage() + "; " + GPIO_HINT, e);
      }
    }

    @Override
    public void onChange(Consumer<Boolean> listener) {
      listeners.add(listener);
    }

    @Override
    public void close() {
      listeners.clear();
      release(ctx, in.id());
    }
  }

  private static final class RealOutput implements GpioOutput {
    private final Context ctx;
    private final DigitalOutput out;
    private final int pin;
    private volatile boolean state;

    RealOutput(Context ctx, DigitalOutput out, int pin, boolean initial) {
      this.ctx = ctx;
      this.out = out;
      this.pin = pin;
      this.state = initial;
    }

    @Override
    public void set(boolean high) throws IOException {
      try {
        out.state(high ? DigitalState.HIGH : DigitalState.LOW);
        state = high;
      } catch (RuntimeException e) {
        throw new IOException(
            "driving GPIO " + pin + " failed: " + e.getMessage() + "; " + GPIO_HINT, e);
      }
    }

    @Override
    public boolean state() {
      return state;
    }

    @Override
    public void close() {
      release(ctx, out.id());
    }
  }
}
