package io.outpost.agent.drivers.bh1750;

import io.outpost.plugin.I2cModel;
import java.io.IOException;
import java.util.Locale;

/**
 * Behaviour model of a ROHM BH1750FVI ambient light sensor on top of a register image. The chip
 * takes one-byte opcodes and answers every read with its 16-bit data register.
 *
 * <table>
 *   <caption>Image layout</caption>
 *   <tr><th>Bytes</th><th>Meaning</th></tr>
 *   <tr><td>0x00–0x01</td><td>the count the chip measures in H-resolution mode with the default
 *       MTreg of 69, big-endian (lux = count / 1.2)</td></tr>
 *   <tr><td>0x10</td><td>fault flags: bit 2 makes the chip NACK every transaction</td></tr>
 * </table>
 *
 * <p>Opcodes as in the datasheet: {@code 0x00} power down, {@code 0x01} power on, {@code 0x07}
 * reset (data register to 0; only while powered on), {@code 0x10/0x11/0x13} continuous and {@code
 * 0x20/0x21/0x23} one-time H/H2/L-resolution measurement, {@code 0x40|hi} and {@code 0x60|lo} set
 * MTreg (31..254). A measurement stores count·MTreg/69 (twice that in H2 mode, capped at 65535) in
 * the data register; one-time modes power down afterwards. A measurement opcode while powered down
 * is accepted (it powers the chip up), as on the real part.
 */
public final class Bh1750Model implements I2cModel {
  public static final int COUNT = 0x00;
  public static final int FAULTS = 0x10;

  private boolean powered;
  private int mtHigh = 69 >> 5;
  private int mtLow = 69 & 0x1F;
  private int data;

  @Override
  public synchronized void onWrite(I2cModel.Registers chip, byte[] data) throws IOException {
    checkFault(chip);
    if (data.length != 1) {
      throw new IOException("BH1750 NACKed a " + data.length + "-byte write (opcodes are 1 byte)");
    }
    int op = data[0] & 0xFF;
    switch (op) {
      case 0x00 -> powered = false;
      case 0x01 -> powered = true;
      case 0x07 -> {
        if (powered) {
          this.data = 0;
        }
      }
      case 0x10, 0x11, 0x13, 0x20, 0x21, 0x23 -> {
        int mt = (mtHigh << 5) | mtLow;
        long count =
            Math.round(chip.getU16be(COUNT) * (mt / 69.0) * (op == 0x11 || op == 0x21 ? 2 : 1));
        this.data = (int) Math.min(65535, count);
        powered = op < 0x20; // one-time modes power down after measuring
      }
      default -> {
        if ((op & 0xF8) == 0x40) {
          mtHigh = op & 0x07;
        } else if ((op & 0xE0) == 0x60) {
          mtLow = op & 0x1F;
        } else {
          throw new IOException(
              String.format(Locale.ROOT, "BH1750 NACKed unknown opcode 0x%02X", op));
        }
      }
    }
  }

  @Override
  public synchronized void onRead(I2cModel.Registers chip, byte[] buffer) throws IOException {
    checkFault(chip);
    for (int i = 0; i < buffer.length; i++) {
      buffer[i] = (byte) (i % 2 == 0 ? data >> 8 : data);
    }
  }

  private static void checkFault(I2cModel.Registers chip) throws IOException {
    if ((chip.get(FAULTS) & 4) != 0) {
      throw new IOException("I2C transaction was not acknowledged (NACK)");
    }
  }

  @Override
  public String toString() {
    return "bh1750";
  }
}
