package io.outpost.agent.drivers.ads1115;

import io.outpost.plugin.I2cModel;
import java.io.IOException;

/**
 * Behaviour model of a TI ADS1115 16-bit ADC on top of a register image. The chip has four 16-bit
 * registers behind a pointer (0 conversion, 1 config, 2 Lo_thresh, 3 Hi_thresh), written as {@code
 * [pointer, msb, lsb]} and read as two bytes from the last pointer.
 *
 * <table>
 *   <caption>Image layout</caption>
 *   <tr><th>Bytes</th><th>Meaning</th></tr>
 *   <tr><td>0x00–0x07</td><td>the four registers, big-endian (config should hold its reset value
 *       {@code 85 83})</td></tr>
 *   <tr><td>0x10–0x1F</td><td>the voltages on AIN0..AIN3, each a signed 32-bit big-endian number of
 *       microvolts</td></tr>
 *   <tr><td>0x20</td><td>fault flags: bit 2 makes the chip NACK every transaction, bit 3 keeps a
 *       conversion busy forever (OS reads 0)</td></tr>
 * </table>
 *
 * <p>Writing config with OS=1 (or with MODE=0, continuous) converts at once: the MUX setting picks
 * AINp−AINn, the PGA its full scale (±6.144 … ±0.256 V), and the code is round(V·32768/FS) clamped
 * to −32768..32767, as the datasheet's transfer function gives; OS then reads 1 (idle).
 */
public final class Ads1115Model implements I2cModel {
  public static final int INPUTS = 0x10;
  public static final int FAULTS = 0x20;
  private static final double[] FULL_SCALE = {
    6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256
  };

  @Override
  public void onWrite(I2cModel.Registers chip, byte[] data) throws IOException {
    checkFault(chip);
    int pointer = data[0] & 0xFF;
    if (pointer > 3) {
      throw new IOException("ADS1115 NACKed pointer " + pointer + " (registers are 0..3)");
    }
    chip.pointer(pointer);
    if (data.length == 1) {
      return;
    }
    if (data.length != 3) {
      throw new IOException(
          "ADS1115 NACKed a " + data.length + "-byte write (expected pointer + 2 bytes)");
    }
    int value = ((data[1] & 0xFF) << 8) | (data[2] & 0xFF);
    if (pointer == 0) {
      return; // the conversion register is read-only
    }
    if (pointer == 1) {
      boolean start = (value & 0x8000) != 0 || (value & 0x0100) == 0;
      boolean stuck = (chip.get(FAULTS) & 8) != 0;
      if (start) {
        chip.setU16be(0, convert(chip, value));
      }
      value = stuck ? value & 0x7FFF : value | 0x8000; // OS reads 1 when no conversion is running
    }
    chip.setU16be(pointer * 2, value);
  }

  @Override
  public void onRead(I2cModel.Registers chip, byte[] buffer) throws IOException {
    checkFault(chip);
    int value = chip.getU16be(chip.pointer() * 2);
    for (int i = 0; i < buffer.length; i++) {
      buffer[i] = (byte) (i % 2 == 0 ? value >> 8 : value);
    }
  }

  private static int convert(I2cModel.Registers chip, int config) {
    int mux = (config >> 12) & 7;
    double fs = FULL_SCALE[(config >> 9) & 7];
    int[][] pairs = {{0, 1}, {0, 3}, {1, 3}, {2, 3}, {0, -1}, {1, -1}, {2, -1}, {3, -1}};
    double volts =
        (microvolts(chip, pairs[mux][0])
                - (pairs[mux][1] < 0 ? 0 : microvolts(chip, pairs[mux][1])))
            / 1e6;
    long code = Math.round(volts * 32768 / fs);
    return (int) Math.max(-32768, Math.min(32767, code)) & 0xFFFF;
  }

  private static long microvolts(I2cModel.Registers chip, int input) {
    int at = INPUTS + input * 4;
    return (chip.getU16be(at) << 16 | chip.getU16be(at + 2));
  }

  private static void checkFault(I2cModel.Registers chip) throws IOException {
    if ((chip.get(FAULTS) & 4) != 0) {
      throw new IOException("I2C transaction was not acknowledged (NACK)");
    }
  }

  @Override
  public String toString() {
    return "ads1115";
  }
}
