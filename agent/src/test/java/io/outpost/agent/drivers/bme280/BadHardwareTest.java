package io.outpost.agent.drivers.bme280;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.agent.drivers.I2cChip;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.testkit.FakeHardware;
import io.outpost.plugin.testkit.RegisterFileI2c;
import io.outpost.plugin.testkit.TestSensorContext;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Missing devices, NACKs, wrong chips and stuck buses give clear exceptions, never wrong values.
 */
@Timeout(30)
class BadHardwareTest {
  private static final Path IMAGE = Path.of("src/test/resources/drivers/bme280/typical/bme280.hex");

  private static Sensor bme280(FakeHardware hw) throws Exception {
    return Bme280Driver.bme280()
        .create(TestSensorContext.builder("env").option("address", "0x76").hardware(hw).build());
  }

  @Test
  void missingDeviceFailsStartWithAHint() throws Exception {
    try (Sensor s = bme280(new FakeHardware())) {
      assertThatThrownBy(s::start)
          .isInstanceOf(IOException.class)
          .hasMessage(
              "bme280 at 0x76 on I2C bus 1: opening the device failed: no I2C device answers at 0x76 on "
                  + "bus 1 (simulated); "
                  + I2cChip.HINT);
    }
  }

  @Test
  void deviceAtAnotherAddressIsNotFound() throws Exception {
    FakeHardware hw =
        new FakeHardware()
            .withI2c(1, 0x77, RegisterFileI2c.fromFile(IMAGE, RegisterFileI2c.REGISTER_POINTER));
    try (Sensor s = bme280(hw)) {
      assertThatThrownBy(s::start)
          .hasMessageContaining("no I2C device answers at 0x76")
          .hasMessageContaining("is the address right");
    }
  }

  @Test
  void nackDuringReadFailsTheReadingAndRecoversAfterRestart() throws Exception {
    RegisterFileI2c chip = RegisterFileI2c.fromFile(IMAGE, RegisterFileI2c.REGISTER_POINTER);
    FakeHardware hw = new FakeHardware().withI2c(1, 0x76, chip);
    try (Sensor s = bme280(hw)) {
      s.start();
      assertThat(s.read()).hasSize(3);
      chip.nack();
      assertThatThrownBy(s::read)
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("bme280 at 0x76 on I2C bus 1: ")
          .hasMessageContaining(
              "failed: I2C transaction was not acknowledged (NACK); is I2C enabled (raspi-config)?");
      chip.failWith(null);
      s.close();
      s.start();
      assertThat(s.read()).hasSize(3);
    }
    assertThat(hw.openHandles()).as("handles left open").isZero();
  }

  @Test
  void wrongChipIdNamesBothIds() throws Exception {
    RegisterFileI2c chip = RegisterFileI2c.fromFile(IMAGE, RegisterFileI2c.REGISTER_POINTER);
    chip.set(0xD0, 0x55);
    FakeHardware hw = new FakeHardware().withI2c(1, 0x76, chip);
    try (Sensor s = bme280(hw)) {
      assertThatThrownBy(s::start)
          .hasMessage(
              "bme280 at 0x76 on I2C bus 1: chip id is 0x55, expected 0x60; is another part at this address?");
    }
    assertThat(hw.openHandles()).as("a failed start closes its handle").isZero();
  }

  @Test
  void stuckBusEndsWithAnInterruptedIoExceptionWhenTheCallerGivesUp() throws Exception {
    RegisterFileI2c chip = RegisterFileI2c.fromFile(IMAGE, RegisterFileI2c.REGISTER_POINTER);
    FakeHardware hw = new FakeHardware().withI2c(1, 0x76, chip);
    Sensor s = bme280(hw);
    s.start();
    chip.hangFor(60_000);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                s.read();
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    reader.start();
    reader.join(300);
    assertThat(reader.isAlive()).as("read blocks on the stuck bus").isTrue();
    reader.interrupt(); // what the agent's per-call timeout does
    reader.join(10_000);
    assertThat(failure.get())
        .isInstanceOf(InterruptedIOException.class)
        .hasMessageContaining("bme280 at 0x76 on I2C bus 1")
        .hasMessageContaining("interrupted (bus stuck?)");
    s.close();
  }
}
