package io.outpost.agent.drivers.ina219;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.outpost.plugin.testkit.RegisterFileI2c;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The INA219 driver's and model's arithmetic against the datasheet's (TI SBOS448) equations. */
class Ina219DatasheetTest {

  @Test
  void calibrationOfTheTenthOhmShuntWith100MicroampLsbIs4096() {
    // Equation 1, Cal = trunc(0.04096 / (Current_LSB × R_SHUNT)): R_SHUNT = 0.1 Ω, Current_LSB
    // = 100 µA (a round LSB between MaxExpected_I / 2^15 and MaxExpected_I / 2^12 for 2 A):
    // Cal = 4096 (0x1000); Power_LSB = 20 × Current_LSB = 2 mW (equation 3).
    assertThat(Ina219Driver.calibration(100e-6, 0.1)).isEqualTo(4096).isEqualTo(0x1000);
    assertThat(Ina219Driver.currentLsb(4096, 0.1)).isCloseTo(100e-6, within(1e-15));
    assertThat(20 * Ina219Driver.currentLsb(4096, 0.1)).isCloseTo(0.002, within(1e-15));
  }

  @Test
  void calibrationBitZeroIsAlwaysClear() {
    // The FS0 bit of the calibration register is void: 0.1 Ω and 3.2 A / 2^15 give 4194.3 → 4194.
    assertThat(Ina219Driver.calibration(3.2 / 32768, 0.1)).isEqualTo(4194);
    assertThat(Ina219Driver.calibration(1e-3, 0.0020001) & 1).isZero();
  }

  @Test
  void busVoltageRegisterHoldsTheVoltageInBits15To3() {
    // Bus voltage LSB 4 mV, shifted left by 3; bit 1 CNVR and bit 0 OVF are not part of it.
    assertThat(Ina219Driver.busVolts(0x5D98)).isCloseTo(11.98, within(1e-12)); // 2995 × 4 mV
    assertThat(Ina219Driver.busVolts(0x5D9A)).isCloseTo(11.98, within(1e-12)); // CNVR set
    assertThat(Ina219Driver.busVolts(0xFA00)).isCloseTo(32.0, within(1e-12)); // 8000 × 4 mV
  }

  @Test
  void shuntVoltageRegisterIsSignedTenMicrovoltSteps() {
    assertThat(Ina219Driver.shuntVolts(0x7D00)).isCloseTo(0.32, within(1e-12)); // +32000
    assertThat(Ina219Driver.shuntVolts(0x07D0)).isCloseTo(0.02, within(1e-12)); // +2000
    assertThat(Ina219Driver.shuntVolts(0xF830)).isCloseTo(-0.02, within(1e-12)); // −2000
    assertThat(Ina219Driver.shuntVolts(0x8300)).isCloseTo(-0.32, within(1e-12)); // −32000
  }

  @Test
  void configurationResetValueIs0x399F() {
    // 32 V range, PGA /8 (320 mV), 12-bit bus and shunt ADC, continuous shunt and bus.
    assertThat(Ina219Driver.config(32, 320)).isEqualTo(0x399F);
    assertThat(Ina219Driver.config(16, 40)).isEqualTo(0x019F);
  }

  @Test
  void modelComputesCurrentAndPowerWithEquations4And5() throws IOException {
    // 10 A through 2 mΩ: 20 mV = shunt register 2000; bus 11.98 V = 2995 × 4 mV.
    // Current_LSB 1 mA → Cal = 0.04096 / (0.001 × 0.002) = 20480; current = 2000 × 20480 / 4096
    // = 10000 (10 A); power = 10000 × 2995 / 5000 = 5990 × 20 mW = 119.8 W.
    assertThat(Ina219Driver.calibration(0.001, 0.002)).isEqualTo(20480);
    RegisterFileI2c chip =
        RegisterFileI2c.fromText("00: 39 9F\n20: 07 D0 2E CC", new Ina219Model());
    chip.write(new byte[] {0x05, 0x50, 0x00});
    assertThat(register(chip, 0x01)).isEqualTo(2000);
    assertThat(register(chip, 0x02)).isEqualTo(2995 << 3 | 0b10);
    assertThat(register(chip, 0x04)).isEqualTo(10000);
    assertThat(register(chip, 0x03)).isEqualTo(5990);
  }

  private static int register(RegisterFileI2c chip, int register) throws IOException {
    byte[] b = new byte[2];
    chip.readRegisters(register, b, 0, 2);
    return (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
  }
}
