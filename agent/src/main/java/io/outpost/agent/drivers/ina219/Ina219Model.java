package io.outpost.agent.drivers.ina219;

import io.outpost.plugin.I2cModel;
import java.io.IOException;
import java.util.Locale;

/**
 * Behaviour model of a TI INA219 on top of a register image: six 16-bit registers behind a register
 * pointer, with the measurement registers computed the way the chip computes them.
 *
 * <table>
 *   <caption>Image layout</caption>
 *   <tr><th>Bytes</th><th>Meaning</th></tr>
 *   <tr><td>0x00–0x0B</td><td>registers 0..5 (configuration, shunt voltage, bus voltage, power,
 *       current, calibration), big-endian, as the chip shows them; a fresh image should hold the
 *       configuration's reset value 39 9F</td></tr>
 *   <tr><td>0x20–0x21</td><td>the voltage across the shunt, signed, in 10 µV</td></tr>
 *   <tr><td>0x22–0x23</td><td>the bus voltage (IN− to GND) in mV</td></tr>
 *   <tr><td>0x30</td><td>fault flags: bit 2 makes the chip NACK every transaction</td></tr>
 * </table>
 *
 * <p>A one-byte write sets the register pointer (0..5); a three-byte write stores a 16-bit value in
 * the configuration or calibration register (the others are read-only). Bit 15 of the configuration
 * resets the chip: configuration 0x399F, calibration 0. Every read of a measurement register
 * converts: the shunt voltage is clipped to the PGA range (setting the overflow flag), the bus
 * voltage register is {@code (mV / 4) << 3} with the conversion-ready bit, current = shunt ·
 * calibration / 4096 and power = current · bus / 5000 (datasheet equations 4 and 5), zero while the
 * calibration is zero.
 */
public final class Ina219Model implements I2cModel {
  public static final int SHUNT_INPUT = 0x20;
  public static final int BUS_INPUT = 0x22;
  public static final int FAULTS = 0x30;

  @Override
  public synchronized void onWrite(Registers chip, byte[] data) throws IOException {
    checkFault(chip);
    int pointer = data[0] & 0xFF;
    if (pointer > Ina219Driver.REG_CALIBRATION) {
      throw new IOException(
          String.format(Locale.ROOT, "INA219 NACKed register pointer 0x%02X", pointer));
    }
    chip.pointer(pointer);
    if (data.length == 1) {
      return;
    }
    if (data.length != 3) {
      throw new IOException(
          "INA219 NACKed a " + data.length + "-byte write (registers are 16-bit)");
    }
    int value = (data[1] & 0xFF) << 8 | (data[2] & 0xFF);
    if (pointer == Ina219Driver.REG_CONFIG) {
      if ((value & Ina219Driver.CONFIG_RESET) != 0) {
        for (int r = 0; r <= Ina219Driver.REG_CALIBRATION; r++) {
          chip.setU16be(2 * r, 0);
        }
        chip.setU16be(2 * Ina219Driver.REG_CONFIG, Ina219Driver.CONFIG_DEFAULT);
      } else {
        chip.setU16be(2 * Ina219Driver.REG_CONFIG, value);
      }
    } else if (pointer == Ina219Driver.REG_CALIBRATION) {
      chip.setU16be(2 * Ina219Driver.REG_CALIBRATION, value & 0xFFFE);
    }
  }

  @Override
  public synchronized void onRead(Registers chip, byte[] buffer) throws IOException {
    checkFault(chip);
    int pointer = chip.pointer();
    if (pointer != Ina219Driver.REG_CONFIG && pointer != Ina219Driver.REG_CALIBRATION) {
      convert(chip);
    }
    int value = chip.getU16be(2 * pointer);
    for (int i = 0; i < buffer.length; i++) {
      buffer[i] = (byte) (i % 2 == 0 ? value >> 8 : value);
    }
  }

  /** One conversion from the image's inputs, as the chip's ADC and math engine do it. */
  private static void convert(Registers chip) {
    int config = chip.getU16be(2 * Ina219Driver.REG_CONFIG);
    int pga = config >> 11 & 3;
    int limit = 4000 << pga; // 40 mV · 2^pga in 10 µV units
    int shunt = (short) chip.getU16be(SHUNT_INPUT);
    boolean overflow = Math.abs(shunt) > limit;
    shunt = Math.max(-limit, Math.min(limit, shunt));
    int busMillivolts = Math.min(chip.getU16be(BUS_INPUT), (config & 0x2000) != 0 ? 32000 : 16000);
    int bus = busMillivolts / 4;
    int cal = chip.getU16be(2 * Ina219Driver.REG_CALIBRATION);
    long current = (long) shunt * cal / 4096;
    long power = Math.abs(current) * bus / 5000;
    if (current > Short.MAX_VALUE || current < Short.MIN_VALUE || power > 0xFFFF) {
      overflow = true;
    }
    chip.setU16be(2 * Ina219Driver.REG_SHUNT, shunt & 0xFFFF);
    chip.setU16be(2 * Ina219Driver.REG_BUS, bus << 3 | 0b10 | (overflow ? 1 : 0));
    chip.setU16be(2 * Ina219Driver.REG_CURRENT, (int) current & 0xFFFF);
    chip.setU16be(2 * Ina219Driver.REG_POWER, (int) Math.min(power, 0xFFFF));
  }

  private static void checkFault(Registers chip) throws IOException {
    if ((chip.get(FAULTS) & 4) != 0) {
      throw new IOException("I2C transaction was not acknowledged (NACK)");
    }
  }

  @Override
  public String toString() {
    return "ina219";
  }
}
