package io.outpost.agent.drivers.bme280;

/**
 * The factory trimming parameters of a Bosch BME280 / BMP280 and the datasheet's double-precision
 * compensation formulas (BME280 datasheet BST-BME280-DS002 §8.1, BMP280 datasheet §8.1; the two
 * chips share the temperature and pressure formulas). Values are returned unrounded.
 *
 * <p>The humidity parameters are zero for a BMP280.
 */
public record Bme280Calibration(
    int t1,
    int t2,
    int t3,
    int p1,
    int p2,
    int p3,
    int p4,
    int p5,
    int p6,
    int p7,
    int p8,
    int p9,
    int h1,
    int h2,
    int h3,
    int h4,
    int h5,
    int h6) {

  /**
   * Registers 0x88..0xA1: dig_T1..dig_P9 (little-endian 16-bit words), then 0xA0 (unused), 0xA1 =
   * dig_H1.
   */
  public static final int BLOCK1_START = 0x88;

  public static final int BLOCK1_LENGTH = 26;

  /**
   * Registers 0xE1..0xE7: dig_H2..dig_H6, with H4 and H5 packed into 12 bits each (BME280 only).
   */
  public static final int BLOCK2_START = 0xE1;

  public static final int BLOCK2_LENGTH = 7;

  /**
   * Parses the two calibration blocks as read from the chip ({@code block2} null for a BMP280). H4
   * = 0xE4[7:0]·16 + 0xE5[3:0] and H5 = 0xE6[7:0]·16 + 0xE5[7:4]; both are signed 12-bit numbers,
   * so the high byte is sign-extended before shifting.
   */
  public static Bme280Calibration parse(byte[] block1, byte[] block2) {
    if (block1.length != BLOCK1_LENGTH) {
      throw new IllegalArgumentException("block1 must be 26 bytes, got " + block1.length);
    }
    int h1 = block1[25] & 0xFF;
    int h2 = 0;
    int h3 = 0;
    int h4 = 0;
    int h5 = 0;
    int h6 = 0;
    if (block2 != null) {
      if (block2.length != BLOCK2_LENGTH) {
        throw new IllegalArgumentException("block2 must be 7 bytes, got " + block2.length);
      }
      h2 = s16(block2, 0);
      h3 = block2[2] & 0xFF;
      h4 = (block2[3] << 4) | (block2[4] & 0x0F);
      h5 = (block2[5] << 4) | ((block2[4] & 0xFF) >> 4);
      h6 = block2[6];
    } else {
      h1 = 0;
    }
    return new Bme280Calibration(
        u16(block1, 0),
        s16(block1, 2),
        s16(block1, 4),
        u16(block1, 6),
        s16(block1, 8),
        s16(block1, 10),
        s16(block1, 12),
        s16(block1, 14),
        s16(block1, 16),
        s16(block1, 18),
        s16(block1, 20),
        s16(block1, 22),
        h1,
        h2,
        h3,
        h4,
        h5,
        h6);
  }

  /**
   * The fine temperature the pressure and humidity formulas take: {@code (int) (var1 + var2)}, the
   * datasheet's cast to a 32-bit integer.
   */
  public int tFine(int adcT) {
    return (int) (tVar1(adcT) + tVar2(adcT));
  }

  /** Temperature in °C from the 20-bit raw value {@code adcT}. */
  public double temperature(int adcT) {
    return (tVar1(adcT) + tVar2(adcT)) / 5120.0;
  }

  private double tVar1(int adcT) {
    return (adcT / 16384.0 - t1 / 1024.0) * t2;
  }

  private double tVar2(int adcT) {
    double d = adcT / 131072.0 - t1 / 8192.0;
    return d * d * t3;
  }

  /**
   * Pressure in Pa from the 20-bit raw value {@code adcP}.
   *
   * @throws ArithmeticException when dig_P1 is zero (a blank or failed NVM read), which the
   *     datasheet guards against to avoid a division by zero
   */
  public double pressure(int adcP, int tFine) {
    double var1 = tFine / 2.0 - 64000.0;
    double var2 = var1 * var1 * p6 / 32768.0;
    var2 = var2 + var1 * p5 * 2.0;
    var2 = var2 / 4.0 + p4 * 65536.0;
    var1 = (p3 * var1 * var1 / 524288.0 + p2 * var1) / 524288.0;
    var1 = (1.0 + var1 / 32768.0) * p1;
    if (var1 == 0.0) {
      throw new ArithmeticException("pressure compensation divides by zero (dig_P1 = " + p1 + ")");
    }
    double p = 1048576.0 - adcP;
    p = (p - var2 / 4096.0) * 6250.0 / var1;
    var1 = p9 * p * p / 2147483648.0;
    var2 = p * p8 / 32768.0;
    return p + (var1 + var2 + p7) / 16.0;
  }

  /**
   * Relative humidity in % from the 16-bit raw value {@code adcH}, clamped to 0..100 as the
   * datasheet does.
   */
  public double humidity(int adcH, int tFine) {
    double h = tFine - 76800.0;
    h =
        (adcH - (h4 * 64.0 + h5 / 16384.0 * h))
            * (h2 / 65536.0 * (1.0 + h6 / 67108864.0 * h * (1.0 + h3 / 67108864.0 * h)));
    h = h * (1.0 - h1 * h / 524288.0);
    return Math.max(0.0, Math.min(100.0, h));
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
  }

  private static int s16(byte[] b, int i) {
    return (short) u16(b, i);
  }
}
