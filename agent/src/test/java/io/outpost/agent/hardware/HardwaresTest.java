package io.outpost.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.GpioInput;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.I2cDevice;
import io.outpost.plugin.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class HardwaresTest {
  @TempDir Path dir;

  private Hardware simulate(Map<String, Object> simulate) throws ConfigException {
    return Hardwares.forSensor(
        new Options("test.json: sensors[0] (\"s\", x): simulate", simulate), dir);
  }

  @Test
  void noSimulationMeansTheRealBuses() throws Exception {
    assertThat(Hardwares.forSensor(Options.empty("x"), dir)).isSameAs(Hardwares.real());
    assertThat(Hardwares.real().path("/sys/class/thermal"))
        .isEqualTo(Path.of("/sys/class/thermal"));
  }

  @Test
  void registerImageAnswersAtAnyAddressAndKeepsWrites() throws Exception {
    Files.writeString(dir.resolve("chip.hex"), "# a register chip\nD0: 60\nF4: 00\n");
    Hardware hw = simulate(Map.of("i2c", "chip.hex"));
    try (I2cDevice d = hw.i2c(1, 0x76)) {
      assertThat(d.readRegister(0xD0)).isEqualTo(0x60);
      d.writeRegister(0xF4, 0x25);
      assertThat(d.readRegister(0xF4)).isEqualTo(0x25);
    }
    try (I2cDevice again = hw.i2c(1, 0x76)) {
      assertThat(again.readRegister(0xF4)).as("the chip outlives the handle").isEqualTo(0x25);
    }
  }

  @Test
  void modelComesFromTheImageHeaderOrTheSensorType() throws Exception {
    Files.writeString(dir.resolve("sht.hex"), "# model: sht3x\n00: 66 66 80 00\n");
    Files.writeString(dir.resolve("plain.hex"), "00: 66 66 80 00\n");
    try (I2cDevice d = simulate(Map.of("i2c", "sht.hex")).i2c(1, 0x44)) {
      d.write(new byte[] {0x24, 0x00});
      byte[] b = new byte[6];
      d.read(b, 0, 6);
      assertThat(b).startsWith((byte) 0x66, (byte) 0x66);
    }
    Hardware byType =
        Hardwares.forSensor("sht3x", new Options("s", Map.of("i2c", "plain.hex")), dir);
    try (I2cDevice d = byType.i2c(1, 0x44)) {
      assertThatThrownBy(() -> d.read(new byte[6], 0, 6))
          .hasMessageContaining("no measurement is ready");
    }
  }

  @Test
  void i2cObjectFormPinsTheAddressAndNamesTheModel() throws Exception {
    Files.writeString(dir.resolve("lux.hex"), "00: 83 90\n");
    Hardware hw =
        simulate(Map.of("i2c", Map.of("image", "lux.hex", "model", "bh1750", "address", "0x23")));
    assertThatThrownBy(() -> hw.i2c(1, 0x5C))
        .hasMessageContaining("no I2C device answers at 0x5C on bus 1");
    try (I2cDevice d = hw.i2c(1, 0x23)) {
      d.write(new byte[] {0x20});
      byte[] b = new byte[2];
      d.read(b, 0, 2);
      assertThat(b).containsExactly((byte) 0x83, (byte) 0x90);
    }
  }

  @Test
  void simulationMistakesNameTheKeyAndTheFile() throws Exception {
    assertThatThrownBy(() -> simulate(Map.of("i2cc", "x.hex")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("simulate: i2cc: unknown key");
    assertThatThrownBy(() -> simulate(Map.of("i2c", "missing.hex")))
        .hasMessageContaining(
            "i2c: image: \"missing.hex\" is not a file (looked for "
                + dir.resolve("missing.hex")
                + " and among the bundled profiles' files)");
    Files.writeString(dir.resolve("bad.hex"), "D0: 60 6G\n");
    assertThatThrownBy(() -> simulate(Map.of("i2c", "bad.hex")))
        .hasMessageContaining("bad.hex:1: \"6G\" is not a hex byte (expected 00..FF)");
    Files.writeString(dir.resolve("ok.hex"), "00: 00\n");
    assertThatThrownBy(() -> simulate(Map.of("i2c", Map.of("image", "ok.hex", "model", "bme999"))))
        .hasMessageContaining(
            "model: \"bme999\" is not a simulation model (expected one of [registers, sht3x, bh1750, ads1115, ina219])");
    Files.writeString(dir.resolve("bad.spi"), "01 80 -> 00\n");
    assertThatThrownBy(() -> simulate(Map.of("spi", "bad.spi")))
        .hasMessageContaining("spi: ")
        .hasMessageContaining("bad.spi:1: TX has 2 bytes and RX has 1");
    assertThatThrownBy(() -> simulate(Map.of("sysfs", "nowhere")))
        .hasMessageContaining("sysfs: \"nowhere\" is not a directory");
    assertThatThrownBy(() -> simulate(Map.of("gpio", Map.of("pin17", true))))
        .hasMessageContaining("gpio: pin17: expected a BCM pin number such as \"17\"");
  }

  @Test
  void gpioInputsStartAtTheirLevelAndCanToggle() throws Exception {
    Hardware hw =
        simulate(
            Map.of("gpio", Map.of("4", true, "17", Map.of("level", false, "toggleEvery", "20ms"))));
    try (GpioInput door = hw.gpioInput(4, Hardware.Pull.NONE, Duration.ZERO);
        GpioInput pir = hw.gpioInput(17, Hardware.Pull.NONE, Duration.ZERO)) {
      assertThat(door.read()).isTrue();
      List<Boolean> edges = new CopyOnWriteArrayList<>();
      pir.onChange(edges::add);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> edges.size() >= 3);
      assertThat(List.copyOf(edges).subList(0, 3)).containsExactly(true, false, true);
    }
  }

  @Test
  void realI2cOnAMachineWithoutTheBusFailsClearly() {
    // This build machine has no /dev/i2c-1: the error must say so and hint at the fix, not crash.
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Files.exists(Path.of("/dev/i2c-1")), "a real I2C bus is present");
    assertThatThrownBy(
            () -> {
              try (I2cDevice d = Hardwares.real().i2c(1, 0x76)) {
                d.readRegister(0xD0);
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is I2C enabled");
  }
}
