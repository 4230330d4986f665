package io.outpost.agent.drivers.sht3x;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.plugin.Sensor;
import io.outpost.plugin.testkit.FakeHardware;
import io.outpost.plugin.testkit.RegisterFileI2c;
import io.outpost.plugin.testkit.TestSensorContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A corrupted CRC fails the reading instead of reporting a wrong value. */
@Timeout(30)
class Sht3xBadHardwareTest {

  @Test
  void sht3xWithCorruptedCrcFailsInsteadOfReportingAWrongValue() throws Exception {
    RegisterFileI2c chip =
        new RegisterFileI2c(new byte[] {0x66, 0x66, (byte) 0x80, 0x00}, new Sht3xModel());
    FakeHardware hw = new FakeHardware().withI2c(1, 0x44, chip);
    try (Sensor s =
        new Sht3xDriver().create(TestSensorContext.builder("air").hardware(hw).build())) {
      s.start();
      assertThat(s.read()).hasSize(2);
      chip.set(Sht3xModel.FAULTS, 0x02);
      assertThatThrownBy(s::read)
          .hasMessageStartingWith(
              "sht3x at 0x44 on I2C bus 1: CRC mismatch on the humidity word 0x8000");
    }
  }
}
