package io.outpost.agent.hardware;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.outpost.agent.drivers.Drivers;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.TestSensorContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Pi4J on a machine that is not a Raspberry Pi (a laptop, a CI runner), opened through the
 * built-in drivers as a profile would. The board files are read from a directory of the test's own,
 * so the message is known; Pi4J itself sees the real machine and fails as it does there.
 */
@Timeout(60)
class Pi4jHardwareTest {
  @TempDir Path root;
  private Pi4jHardware hw;

  @BeforeEach
  void notOnAPi() throws Exception {
    assumeFalse(Board.detect().raspberryPi(), "this machine is a Raspberry Pi");
    Path dmi = root.resolve("sys/class/dmi/id/product_name");
    Files.createDirectories(dmi.getParent());
    Files.writeString(dmi, "QEMU Virtual Machine\n");
    hw = new Pi4jHardware(root);
  }

  @AfterEach
  void shutdown() {
    if (hw != null) {
      hw.shutdown();
    }
  }

  private Sensor sensor(String type, Map<String, ?> options, Hardware hardware) throws Exception {
    SensorFactory f =
        Drivers.all().stream().filter(d -> d.type().equals(type)).findFirst().orElseThrow();
    return f.create(TestSensorContext.builder("s").options(options).hardware(hardware).build());
  }

  @Test
  void gpioOffAPiNamesTheBoardAndWhatGpioNeeds() throws Exception {
    try (Sensor door = sensor("gpio-in", Map.of("pin", 17, "pull", "up"), hw)) {
      assertThatThrownBy(door::start)
          .hasMessageStartingWith(
              "gpio-in on GPIO 17: claiming the pin failed: claiming GPIO 17 as input failed: "
                  + "this is a 'QEMU Virtual Machine', not a Raspberry Pi; real GPIO needs a "
                  + "Raspberry Pi (Pi4J's gpiod library loads only there) with /dev/gpiochip0 "
                  + "(absent here) and the agent's user in group gpio; to run this profile here, "
                  + "simulate the hardware")
          .message()
          .doesNotContain("provider", "No gpio chip");
    }
    try (Sensor relay = sensor("gpio-out", Map.of("pin", 27, "safeState", false), hw)) {
      assertThatThrownBy(relay::start)
          .hasMessageContaining(
              "claiming GPIO 27 as output failed: this is a 'QEMU Virtual Machine'")
          .hasMessageContaining("/dev/gpiochip0 (absent here)");
    }
  }

  @Test
  void i2cAndSpiOffAPiSayWhichDeviceNodeAndOverlayTheyNeed() throws Exception {
    Files.createDirectories(root.resolve("dev"));
    Files.createFile(root.resolve("dev/i2c-1"));
    try (Sensor env = sensor("bme280", Map.of(), hw)) {
      assertThatThrownBy(env::start)
          .hasMessageContaining(
              "opening I2C device 0x76 on bus 1 failed: this is a 'QEMU Virtual Machine', not a "
                  + "Raspberry Pi; I2C bus 1 needs /dev/i2c-1 (present here) and the agent's user "
                  + "in group i2c: is I2C enabled (on a Raspberry Pi: dtparam=i2c_arm=on in "
                  + "config.txt, or raspi-config)? to run this profile here, simulate the hardware");
    }
    try (Sensor adc = sensor("mcp3008", Map.of("channels", Map.of("light", "CH0")), hw)) {
      assertThatThrownBy(adc::start)
          .hasMessageContaining(
              "opening SPI /dev/spidev0.0 failed: this is a 'QEMU Virtual Machine', not a "
                  + "Raspberry Pi; SPI needs /dev/spidev0.0 (absent here) and the agent's user in "
                  + "group spi: is SPI enabled (on a Raspberry Pi: dtparam=spi=on in config.txt, "
                  + "or raspi-config)?");
    }
  }

  @Test
  void onAPiTheFailureKeepsPi4jsWordsAndTheHint() throws Exception {
    Path model = root.resolve("proc/device-tree/model");
    Files.createDirectories(model.getParent());
    Files.writeString(model, "Raspberry Pi 4 Model B Rev 1.4\0");
    try (Sensor door = sensor("gpio-in", Map.of("pin", 17), hw)) {
      assertThatThrownBy(door::start)
          .hasMessageContaining("claiming GPIO 17 as input failed: ")
          .hasMessageEndingWith(
              "is the pin free (not used by another program or overlay)? "
                  + "is the agent's user in group gpio?")
          .message()
          .doesNotContain("not a Raspberry Pi");
    }
  }
}
