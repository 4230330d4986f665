package com.example.outpost.scd4x;

import io.outpost.plugin.I2cDevice;
import io.outpost.plugin.Reading;
import io.outpost.plugin.SensirionCrc;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorContext;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One SCD4x. Commands and timings are those of the Sensirion SCD4x datasheet: 16-bit commands, each
 * response word followed by a CRC-8 (polynomial 0x31, init 0xFF) that is checked, so a corrupted
 * transfer fails the reading instead of reporting a wrong CO2 level.
 */
final class Scd4xSensor implements Sensor {
  static final int START_PERIODIC = 0x21B1;
  static final int READ_MEASUREMENT = 0xEC05;
  static final int STOP_PERIODIC = 0x3F86;
  static final int DATA_READY = 0xE4B8;
  static final int SERIAL_NUMBER = 0x3682;
  static final int MEASURE_SINGLE_SHOT = 0x219D;

  private final SensorContext ctx;
  private final int bus;
  private final boolean singleShot;
  private I2cDevice device;

  Scd4xSensor(SensorContext ctx, int bus, boolean singleShot) {
    this.ctx = ctx;
    this.bus = bus;
    this.singleShot = singleShot;
  }

  private String where() {
    return "scd4x at 0x62 on I2C bus " + bus;
  }

  @Override
  public void start() throws IOException {
    close();
    I2cDevice d;
    try {
      d = ctx.hardware().i2c(bus, Scd4xFactory.ADDRESS);
    } catch (IOException e) {
      throw new IOException(where() + ": cannot open the device: " + e.getMessage(), e);
    }
    try {
      // A sensor left in periodic mode by an earlier run ignores most commands: stop it first.
      command(d, STOP_PERIODIC, 500);
      int[] serial = words(d, SERIAL_NUMBER, 1, 3);
      ctx.log()
          .info(
              String.format(
                  Locale.ROOT, "serial number %04x%04x%04x", serial[0], serial[1], serial[2]));
      if (!singleShot) {
        command(d, START_PERIODIC, 0);
      }
      device = d;
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  @Override
  public List<Reading> read() throws IOException {
    if (device == null) {
      throw new IOException(where() + ": not started");
    }
    if (singleShot) {
      command(device, MEASURE_SINGLE_SHOT, 5000);
    } else if ((words(device, DATA_READY, 1, 1)[0] & 0x07FF) == 0) {
      return List.of(); // no new measurement since the last read (one every 5 s)
    }
    int[] w = words(device, READ_MEASUREMENT, 1, 3);
    Instant now = ctx.clock().instant();
    return List.of(
        Reading.number("co2", "ppm", w[0], now),
        Reading.number("temperature", "Cel", -45.0 + 175.0 * w[1] / 65536.0, now),
        Reading.number("humidity", "%RH", 100.0 * w[2] / 65536.0, now));
  }

  @Override
  public void close() throws IOException {
    if (device != null) {
      I2cDevice d = device;
      device = null;
      try {
        if (!singleShot) {
          command(d, STOP_PERIODIC, 0); // saves power; the next start() waits the 500 ms anyway
        }
      } finally {
        d.close();
      }
    }
  }

  private void command(I2cDevice d, int cmd, long waitMillis) throws IOException {
    try {
      d.write(new byte[] {(byte) (cmd >> 8), (byte) cmd});
    } catch (IOException e) {
      throw new IOException(
          String.format(Locale.ROOT, "%s: command 0x%04X failed: %s", where(), cmd, e.getMessage()),
          e);
    }
    pause(waitMillis);
  }

  /** Sends {@code cmd}, waits, reads {@code count} CRC-checked words. */
  private int[] words(I2cDevice d, int cmd, long waitMillis, int count) throws IOException {
    command(d, cmd, waitMillis);
    byte[] buf = new byte[count * 3];
    try {
      d.read(buf, 0, buf.length);
    } catch (IOException e) {
      throw new IOException(
          String.format(
              Locale.ROOT,
              "%s: reading the answer to 0x%04X failed: %s",
              where(),
              cmd,
              e.getMessage()),
          e);
    }
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      int msb = buf[3 * i] & 0xFF;
      int lsb = buf[3 * i + 1] & 0xFF;
      int crc = crc8(msb, lsb);
      if (crc != (buf[3 * i + 2] & 0xFF)) {
        throw new IOException(
            String.format(
                Locale.ROOT,
                "%s: CRC mismatch in word %d of the answer to 0x%04X: "
                    + "received 0x%02X, computed 0x%02X",
                where(),
                i,
                cmd,
                buf[3 * i + 2] & 0xFF,
                crc));
      }
      out[i] = msb << 8 | lsb;
    }
    return out;
  }

  /** The API's Sensirion CRC-8 (polynomial 0x31, init 0xFF); {@code crc8(0xBE, 0xEF) == 0x92}. */
  static int crc8(int... bytes) {
    return SensirionCrc.crc8(bytes);
  }

  private static void pause(long millis) throws InterruptedIOException {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis); // the datasheet's execution time of the command
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the SCD4x");
    }
  }
}
