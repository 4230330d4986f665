package io.outpost.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.plugin.GpioInput;
import io.outpost.plugin.GpioOutput;
import io.outpost.plugin.Hardware.Pull;
import io.outpost.plugin.I2cDevice;
import io.outpost.plugin.Reading;
import io.outpost.plugin.SpiDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FakesTest {

  @Test
  void scriptedSpiAnswersByFirstMatchingRuleWithWildcards() throws IOException {
    ScriptedSpi spi =
        ScriptedSpi.parse("# mcp3008\n01 80 00 -> 00 02 00\n01 xx 00 -> 00 00 07\n", "s.spi");
    assertThat(spi.transfer(new byte[] {1, (byte) 0x80, 0})).containsExactly(0, 2, 0);
    assertThat(spi.transfer(new byte[] {1, (byte) 0x90, 0})).containsExactly(0, 0, 7);
    assertThatThrownBy(() -> spi.transfer(new byte[] {2, 0, 0}))
        .hasMessage("no scripted SPI response for TX [02 00 00]");
    assertThat(spi.transfers()).hasSize(3);
    assertThatThrownBy(() -> ScriptedSpi.parse("01 80 00 00 02 00", "s.spi"))
        .hasMessage("s.spi:1: expected \"TX -> RX\", got \"01 80 00 00 02 00\"");
  }

  @Test
  void fakeSysfsMapsAbsolutePathsUnderItsRootAndCleansUp() throws IOException {
    Path root;
    try (FakeSysfs sys = FakeSysfs.create()) {
      root = sys.root();
      sys.file("/sys/class/thermal/thermal_zone0/temp", "48312\n");
      assertThat(Files.readString(sys.path("/sys/class/thermal/thermal_zone0/temp")))
          .isEqualTo("48312\n");
      assertThatThrownBy(() -> sys.path("/../etc/passwd"))
          .hasMessageContaining("leaves the fake root");
    }
    assertThat(root).doesNotExist();
  }

  @Test
  void fakeGpioClaimsDrivesAndRecords() throws IOException {
    FakeClock clock = new FakeClock();
    FakeGpio gpio = new FakeGpio(clock);
    try (GpioInput button = gpio.input(4, Pull.UP, Duration.ofMillis(30))) {
      assertThat(button.read()).as("pull-up reads high").isTrue();
      List<Boolean> seen = new ArrayList<>();
      button.onChange(seen::add);
      gpio.setLevel(4, false);
      clock.advance(Duration.ofMillis(10));
      gpio.setLevel(4, true); // bounce, ignored
      clock.advance(Duration.ofMillis(100));
      gpio.setLevel(
          4, true); // after the window, and differs from the delivered level (low): delivered
      assertThat(seen).containsExactly(false, true);
      assertThatThrownBy(() -> gpio.input(4, Pull.NONE, Duration.ZERO))
          .hasMessage("GPIO 4 is busy (already claimed)");
    }
    try (GpioOutput led = gpio.output(18, false)) {
      led.set(true);
      led.set(false);
      assertThat(gpio.history(18)).containsExactly(false, true, false);
      assertThat(led.state()).isFalse();
    }
    assertThat(gpio.claimed(18)).isFalse();
  }

  @Test
  void fakeHardwareComposesTheFakesAndCountsOpenHandles() throws IOException {
    RegisterFileI2c chip = RegisterFileI2c.fromText("D0: 60", RegisterFileI2c.REGISTER_POINTER);
    FakeHardware hw =
        new FakeHardware()
            .withI2c(1, 0x76, chip)
            .withSpi(0, 0, new ScriptedSpi().addRule("01 -> 02"));
    I2cDevice d = hw.i2c(1, 0x76);
    assertThat(d.readRegister(0xD0)).isEqualTo(0x60);
    SpiDevice s = hw.spi(0, 0, 1_000_000, 0);
    assertThat(s.transfer(new byte[] {1})).containsExactly(2);
    assertThat(hw.openHandles()).isEqualTo(2);
    d.close();
    s.close();
    assertThat(hw.openHandles()).isZero();
    assertThatThrownBy(() -> d.readRegister(0xD0)).hasMessage("I2C device handle is closed");
    assertThatThrownBy(() -> hw.i2c(1, 0x77))
        .hasMessage("no I2C device answers at 0x77 on bus 1 (simulated)");
    assertThatThrownBy(() -> hw.spi(0, 1, 1_000_000, 0))
        .hasMessage("no SPI device on /dev/spidev0.1 (simulated)");
  }

  @Test
  void testSensorContextRecordsEmitsAndLogs() throws Exception {
    FakeClock clock = new FakeClock();
    TestSensorContext ctx =
        TestSensorContext.builder("door").option("pin", 17).clock(clock).build();
    assertThat(ctx.options().integer("pin")).isEqualTo(17);
    ctx.emit(Reading.bool("open", true, clock.instant()));
    assertThat(ctx.awaitEmitted(1, Duration.ofSeconds(1))).hasSize(1);
    assertThatThrownBy(() -> ctx.awaitEmitted(2, Duration.ofMillis(50)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("expected 2 emitted readings");
    ctx.log().warn("loose wire");
    assertThat(ctx.logLines()).containsExactly("WARN sensor door: loose wire");
  }
}
