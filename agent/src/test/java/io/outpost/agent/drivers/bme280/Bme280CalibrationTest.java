package io.outpost.agent.drivers.bme280;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The BME280/BMP280 arithmetic against Bosch's published numbers and against the datasheets' own
 * integer reference implementations (ported below with C semantics), which were written
 * independently of the double-precision formulas under test.
 */
class Bme280CalibrationTest {
  /** BMP280 datasheet §3.12, table "Compensation formula example". */
  private static final Bme280Calibration DATASHEET =
      new Bme280Calibration(
          27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000, 0, 0, 0, 0,
          0, 0);

  /** A real part's trimming values (BME280 read at 0x76), humidity included. */
  private static final Bme280Calibration TYPICAL =
      new Bme280Calibration(
          28485, 26735, 50, 36738, -10635, 3024, 5616, -45, -7, 9900, -10230, 4285, 75, 362, 0, 313,
          50, 30);

  @Test
  void datasheetExampleTemperatureIs25point08() {
    assertThat(DATASHEET.temperature(519888)).isCloseTo(25.08, within(0.005));
    assertThat(DATASHEET.tFine(519888)).isEqualTo(128422);
  }

  @Test
  void datasheetExamplePressureIs100653point27() {
    double p = DATASHEET.pressure(415148, DATASHEET.tFine(519888));
    // The table's double column uses t_fine unrounded (128422.29) and prints 100653.27 Pa; the
    // datasheet's code truncates t_fine to an integer, as this driver does, which gives 100653.258.
    assertThat(p).isCloseTo(100653.27, within(0.015));
    assertThat(p).isCloseTo(100653.258, within(0.001));
  }

  @Test
  void integerReferenceReproducesTheDatasheetTable() {
    int tFine = tFineInt32(DATASHEET, 519888);
    assertThat(tFine).isEqualTo(128422);
    assertThat((tFine * 5 + 128) >> 8).isEqualTo(2508); // 25.08 °C in 0.01 °C
    // Q24.8: within 1/64 Pa of the double result (the integer code rounds at every shift).
    assertThat(pressureInt64(DATASHEET, 415148, tFine) / 256.0).isCloseTo(100653.258, within(0.02));
  }

  @Test
  void doubleAndIntegerFormulasAgreeAcrossTheRange() {
    for (int adcT = 400_000; adcT <= 600_000; adcT += 12_345) {
      int tFine = TYPICAL.tFine(adcT);
      assertThat(tFineInt32(TYPICAL, adcT))
          .as("t_fine at adc_T=%d", adcT)
          .isCloseTo(
              tFine,
              within(16)); // the integer code drops adc_T's low 3 bits: up to dig_T2/2048 LSB
      assertThat(TYPICAL.temperature(adcT))
          .isCloseTo(((tFine * 5 + 128) >> 8) / 100.0, within(0.011));
      for (int adcP = 250_000; adcP <= 450_000; adcP += 23_456) {
        double ref = pressureInt64(TYPICAL, adcP, tFineInt32(TYPICAL, adcT)) / 256.0;
        assertThat(TYPICAL.pressure(adcP, tFine))
            .as("p at adc_T=%d adc_P=%d", adcT, adcP)
            .isCloseTo(ref, within(0.5));
      }
      for (int adcH = 20_000; adcH <= 40_000; adcH += 2_500) {
        double ref = humidityInt32(TYPICAL, adcH, tFineInt32(TYPICAL, adcT)) / 1024.0;
        assertThat(TYPICAL.humidity(adcH, tFine))
            .as("h at adc_T=%d adc_H=%d", adcT, adcH)
            .isCloseTo(ref, within(0.05));
      }
    }
  }

  @Test
  void humidityIsClampedTo0And100() {
    int tFine = TYPICAL.tFine(528960);
    assertThat(TYPICAL.humidity(0, tFine)).isEqualTo(0.0);
    assertThat(TYPICAL.humidity(65535, tFine)).isEqualTo(100.0);
  }

  @Test
  void parsesLittleEndianWordsAndSignedPackedH4H5() {
    byte[] b1 = new byte[26];
    put16(b1, 0, 27504);
    put16(b1, 2, 26435);
    put16(b1, 4, -1000);
    put16(b1, 6, 36477);
    put16(b1, 8, -10685);
    b1[25] = 75;
    // dig_H2=362, dig_H3=0, dig_H4=-3 (0xFFD), dig_H5=-20 (0xFEC), dig_H6=-5
    byte[] b2 = {0x6A, 0x01, 0x00, (byte) 0xFF, (byte) 0xCD, (byte) 0xFE, (byte) 0xFB};
    Bme280Calibration c = Bme280Calibration.parse(b1, b2);
    assertThat(c.t1()).isEqualTo(27504);
    assertThat(c.t3()).isEqualTo(-1000);
    assertThat(c.p1()).isEqualTo(36477);
    assertThat(c.p2()).isEqualTo(-10685);
    assertThat(c.h1()).isEqualTo(75);
    assertThat(c.h2()).isEqualTo(362);
    assertThat(c.h4()).isEqualTo(-3);
    assertThat(c.h5()).isEqualTo(-20);
    assertThat(c.h6()).isEqualTo(-5);
  }

  @Test
  void parsesPositivePackedH4H5() {
    // 0xE4..0xE6 = 13 29 03: H4 = 0x13<<4 | 0x9 = 313, H5 = 0x03<<4 | 0x2 = 50
    byte[] b2 = {0x6A, 0x01, 0x00, 0x13, 0x29, 0x03, 0x1E};
    Bme280Calibration c = Bme280Calibration.parse(new byte[26], b2);
    assertThat(c.h4()).isEqualTo(313);
    assertThat(c.h5()).isEqualTo(50);
    assertThat(c.h6()).isEqualTo(30);
  }

  private static void put16(byte[] b, int i, int v) {
    b[i] = (byte) v;
    b[i + 1] = (byte) (v >> 8);
  }

  // ---- Bosch reference implementations (BME280 datasheet §4.2.3, BMP280 datasheet §3.11.3) ----

  private static int tFineInt32(Bme280Calibration c, int adcT) {
    int var1 = (((adcT >> 3) - (c.t1() << 1)) * c.t2()) >> 11;
    int var2 = (((((adcT >> 4) - c.t1()) * ((adcT >> 4) - c.t1())) >> 12) * c.t3()) >> 14;
    return var1 + var2;
  }

  private static long pressureInt64(Bme280Calibration c, int adcP, int tFine) {
    long var1 = (long) tFine - 128000;
    long var2 = var1 * var1 * c.p6();
    var2 = var2 + ((var1 * c.p5()) << 17);
    var2 = var2 + ((long) c.p4() << 35);
    var1 = ((var1 * var1 * c.p3()) >> 8) + ((var1 * c.p2()) << 12);
    var1 = (((1L << 47) + var1) * c.p1()) >> 33;
    long p = 1048576 - adcP;
    p = (((p << 31) - var2) * 3125) / var1;
    var1 = (c.p9() * (p >> 13) * (p >> 13)) >> 25;
    var2 = (c.p8() * p) >> 19;
    return ((p + var1 + var2) >> 8) + ((long) c.p7() << 4);
  }

  private static long humidityInt32(Bme280Calibration c, int adcH, int tFine) {
    int v = tFine - 76800;
    v =
        (((((adcH << 14) - (c.h4() << 20) - (c.h5() * v)) + 16384) >> 15)
            * (((((((v * c.h6()) >> 10) * (((v * c.h3()) >> 11) + 32768)) >> 10) + 2097152) * c.h2()
                    + 8192)
                >> 14));
    v = v - (((((v >> 15) * (v >> 15)) >> 7) * c.h1()) >> 4);
    v = Math.max(0, Math.min(419430400, v));
    return v >> 12;
  }
}
