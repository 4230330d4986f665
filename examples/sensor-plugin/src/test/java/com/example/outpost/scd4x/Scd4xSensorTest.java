package com.example.outpost.scd4x;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.FakeHardware;
import io.outpost.plugin.testkit.RegisterFileI2c;
import io.outpost.plugin.testkit.TestSensorContext;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The plugin tested the way any plugin can be: the test kit's fakes, no hardware, no agent. */
@Timeout(30)
class Scd4xSensorTest {
  /**
   * The datasheet's read_measurement example words: 0x01F4 = 500 ppm, 0x6667 = 25 °C, 0x5EB9 = 37
   * %RH. The image holds the words; the model adds the CRCs as the sensor does.
   */
  private static final String IMAGE =
      """
      # CO2, temperature, humidity
      00: 01 F4 66 67 5E B9
      # serial number
      10: BE EF 12 34 56 78
      # data ready
      20: 01
      """;

  private final Scd4xModel model = new Scd4xModel();
  private final RegisterFileI2c chip = RegisterFileI2c.fromText(IMAGE, model);
  private final FakeHardware hw = new FakeHardware().withI2c(1, 0x62, chip);

  private Sensor sensor(String mode) throws ConfigException {
    return new Scd4xFactory()
        .create(TestSensorContext.builder("co2").option("mode", mode).hardware(hw).build());
  }

  @Test
  void datasheetExampleWordsGive500ppm25Celsius37Percent() throws Exception {
    try (Sensor s = sensor("periodic")) {
      s.start();
      assertThat(model.periodic()).isTrue();
      List<Reading> r = s.read();
      assertThat(r).extracting(Reading::quantity).containsExactly("co2", "temperature", "humidity");
      assertThat(r.get(0).value()).isEqualTo(500.0);
      assertThat(r.get(0).unit()).isEqualTo("ppm");
      assertThat(r.get(1).value())
          .isCloseTo(-45 + 175 * 0x6667 / 65536.0, within(1e-12))
          .isCloseTo(25.0, within(0.01));
      assertThat(r.get(2).value())
          .isCloseTo(100 * 0x5EB9 / 65536.0, within(1e-12))
          .isCloseTo(37.0, within(0.01));
      assertThat(s.read()).as("no new measurement yet").isEmpty();
    }
    assertThat(model.periodic()).as("stopped on close").isFalse();
    assertThat(hw.openHandles()).isZero();
  }

  @Test
  void crcMatchesTheDatasheet() {
    // SCD4x datasheet, "Checksum calculation": CRC(0xBEEF) = 0x92.
    assertThat(Scd4xSensor.crc8(0xBE, 0xEF)).isEqualTo(0x92);
  }

  @Test
  void aCorruptedWordFailsTheReading() throws Exception {
    try (Sensor s = sensor("periodic")) {
      s.start();
      chip.set(0x21, 0x01);
      assertThatThrownBy(s::read)
          .hasMessageContaining("CRC mismatch in word 0 of the answer to 0xEC05");
    }
  }

  @Test
  void aMissingSensorFailsStartClearly() throws Exception {
    try (Sensor s =
        new Scd4xFactory()
            .create(TestSensorContext.builder("co2").hardware(new FakeHardware()).build())) {
      assertThatThrownBy(s::start)
          .hasMessage(
              "scd4x at 0x62 on I2C bus 1: cannot open the device: "
                  + "no I2C device answers at 0x62 on bus 1 (simulated)");
    }
  }

  @Test
  void singleShotModeMeasuresOnDemand() throws Exception {
    chip.set(0x20, 0);
    try (Sensor s = sensor("single-shot")) {
      s.start();
      assertThat(model.periodic()).isFalse();
      assertThat(s.read()).hasSize(3);
    }
  }

  @Test
  void optionsAreChecked() {
    assertThatThrownBy(() -> sensor("sometimes"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mode: \"sometimes\" is not one of [periodic, single-shot]");
  }

  @Test
  void theServiceFileListsTheFactory() {
    assertThat(ServiceLoader.load(SensorFactory.class))
        .extracting(SensorFactory::type)
        .contains("example.scd4x");
  }
}
