package io.outpost.plugin;

/**
 * The CRC-8 Sensirion puts after every 16-bit data word (SHT3x, SHT4x, SCD4x, SGP4x): polynomial
 * 0x31, init 0xFF, no reflection, no final XOR. Here because drivers, their simulation models and
 * plugins for Sensirion parts all need the same one.
 */
public final class SensirionCrc {
  private SensirionCrc() {}

  /**
   * CRC of {@code data} (low 8 bits of each); the datasheet's example: {@code crc8(0xBE, 0xEF) ==
   * 0x92}.
   */
  public static int crc8(int... data) {
    int crc = 0xFF;
    for (int b : data) {
      crc ^= b & 0xFF;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x31) & 0xFF : (crc << 1) & 0xFF;
      }
    }
    return crc;
  }
}
