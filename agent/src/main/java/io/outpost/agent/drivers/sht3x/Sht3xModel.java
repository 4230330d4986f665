package io.outpost.agent.drivers.sht3x;

import io.outpost.plugin.I2cModel;
import io.outpost.plugin.SensirionCrc;
import java.io.IOException;
import java.util.Locale;

/**
 * Behaviour model of a Sensirion SHT3x (SHT30/31/35) on top of a register image, so the real {@code
 * sht3x} driver runs against it. The SHT3x has no registers, only 16-bit commands; the image holds
 * what the chip would measure:
 *
 * <table>
 *   <caption>Image layout</caption>
 *   <tr><th>Bytes</th><th>Meaning</th></tr>
 *   <tr><td>0x00–0x01</td><td>raw temperature S<sub>T</sub>, big-endian (T = −45 + 175·S<sub>T</sub>/65535 °C)</td></tr>
 *   <tr><td>0x02–0x03</td><td>raw humidity S<sub>RH</sub>, big-endian (RH = 100·S<sub>RH</sub>/65535 %)</td></tr>
 *   <tr><td>0x04–0x05</td><td>status register, returned by command 0xF32D</td></tr>
 *   <tr><td>0x10</td><td>fault flags: bit 0 corrupts the temperature CRC, bit 1 the humidity CRC,
 *       bit 2 makes the chip NACK every transaction</td></tr>
 * </table>
 *
 * <p>Commands: single shot {@code 0x2400/0x240B/0x2416} (no clock stretching) and {@code
 * 0x2C06/0x2C0D/0x2C10} (clock stretching) latch a measurement that the next 6-byte read returns as
 * {@code T_msb T_lsb CRC RH_msb RH_lsb CRC} (CRC-8, poly 0x31, init 0xFF, as the chip computes it);
 * {@code 0x30A2} soft reset and {@code 0x3041} clear status are accepted; {@code 0xF32D} latches
 * the status word. A read with nothing latched is NACKed, as on the chip when no measurement is
 * ready, and so is an unknown command.
 */
public final class Sht3xModel implements I2cModel {
  public static final int T_RAW = 0x00;
  public static final int RH_RAW = 0x02;
  public static final int STATUS = 0x04;
  public static final int FAULTS = 0x10;

  private byte[] latched;

  @Override
  public synchronized void onWrite(I2cModel.Registers chip, byte[] data) throws IOException {
    checkFault(chip);
    if (data.length != 2) {
      throw new IOException("SHT3x NACKed a " + data.length + "-byte write (commands are 2 bytes)");
    }
    int cmd = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
    switch (cmd) {
      case 0x2400, 0x240B, 0x2416, 0x2C06, 0x2C0D, 0x2C10 -> {
        int faults = chip.get(FAULTS);
        byte[] t = word(chip.getU16be(T_RAW), (faults & 1) != 0);
        byte[] h = word(chip.getU16be(RH_RAW), (faults & 2) != 0);
        latched = new byte[] {t[0], t[1], t[2], h[0], h[1], h[2]};
      }
      case 0xF32D -> latched = word(chip.getU16be(STATUS), false);
      case 0x30A2, 0x3041 -> latched = null;
      default ->
          throw new IOException(
              String.format(Locale.ROOT, "SHT3x NACKed unknown command 0x%04X", cmd));
    }
  }

  @Override
  public synchronized void onRead(I2cModel.Registers chip, byte[] buffer) throws IOException {
    checkFault(chip);
    if (latched == null) {
      throw new IOException("SHT3x NACKed the read: no measurement is ready");
    }
    System.arraycopy(latched, 0, buffer, 0, Math.min(buffer.length, latched.length));
    latched = null;
  }

  private static void checkFault(I2cModel.Registers chip) throws IOException {
    if ((chip.get(FAULTS) & 4) != 0) {
      throw new IOException("I2C transaction was not acknowledged (NACK)");
    }
  }

  private static byte[] word(int value, boolean corrupt) {
    byte msb = (byte) (value >> 8);
    byte lsb = (byte) value;
    int crc = SensirionCrc.crc8(msb, lsb);
    return new byte[] {msb, lsb, (byte) (corrupt ? crc ^ 0x5A : crc)};
  }

  @Override
  public String toString() {
    return "sht3x";
  }
}
