package io.outpost.agent.drivers.gpio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.agent.drivers.Drivers;
import io.outpost.agent.outputs.Outputs;
import io.outpost.plugin.Command;
import io.outpost.plugin.CommandResult;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import io.outpost.plugin.Reading;
import io.outpost.plugin.Sensor;
import io.outpost.plugin.SensorFactory;
import io.outpost.plugin.testkit.FakeClock;
import io.outpost.plugin.testkit.FakeHardware;
import io.outpost.plugin.testkit.TestSensorContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GpioDriversTest {
  private final FakeClock clock = new FakeClock();
  private final FakeHardware hw = new FakeHardware(clock);

  @Test
  void pirEdgesAreEmittedAtOnceAndBouncesAreDebounced() throws Exception {
    TestSensorContext ctx =
        TestSensorContext.builder("hall")
            .option("pin", 17)
            .option("pull", "down")
            .option("debounce", "50ms")
            .option("quantity", "motion")
            .hardware(hw)
            .clock(clock)
            .build();
    try (Sensor pir = new GpioInDriver().create(ctx)) {
      pir.start();
      assertThat(pir.read()).extracting(Reading::boolValue).containsExactly(false);

      hw.gpio().setLevel(17, true);
      clock.advance(Duration.ofMillis(5));
      hw.gpio().setLevel(17, false); // contact bounce inside the 50 ms window: ignored
      clock.advance(Duration.ofMillis(5));
      hw.gpio().setLevel(17, true);
      assertThat(ctx.emitted())
          .extracting(Reading::quantity, Reading::boolValue)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("motion", true));

      clock.advance(Duration.ofSeconds(2));
      hw.gpio().setLevel(17, false);
      assertThat(ctx.emitted()).extracting(Reading::boolValue).containsExactly(true, false);
      assertThat(ctx.emitted().get(1).time()).isEqualTo(FakeClock.DEFAULT_START.plusMillis(2010));
      assertThat(pir.read()).extracting(Reading::boolValue).containsExactly(false);
    }
    assertThat(hw.gpio().claimed(17)).as("pin released on close").isFalse();
  }

  @Test
  void doorContactToGroundWithPullUpIsActiveLowAndCanReportOpeningsOnly() throws Exception {
    // A reed switch closes to GND while the door is shut; the pull-up makes an open door read high.
    TestSensorContext ctx =
        TestSensorContext.builder("door")
            .option("pin", 27)
            .option("pull", "up")
            .option("activeLow", false)
            .option("quantity", "open")
            .option("edges", "rising")
            .hardware(hw)
            .build();
    hw.gpio().setLevel(27, false); // door shut
    try (Sensor door = new GpioInDriver().create(ctx)) {
      door.start();
      hw.gpio().setLevel(27, true); // opened
      hw.gpio().setLevel(27, false); // closed again: not reported with edges=rising
      assertThat(ctx.emitted()).extracting(Reading::boolValue).containsExactly(true);
    }
  }

  @Test
  void inputOptionsAreChecked() {
    SensorFactory f = new GpioInDriver();
    assertThatThrownBy(() -> f.create(TestSensorContext.builder("b").option("pin", 40).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pin: 40 out of range, expected a BCM pin 0..27");
    assertThatThrownBy(
            () ->
                f.create(
                    TestSensorContext.builder("b")
                        .option("pin", 4)
                        .option("pull", "sideways")
                        .build()))
        .hasMessageContaining("pull: \"sideways\" is not one of [none, up, down]");
    assertThatThrownBy(() -> f.create(TestSensorContext.builder("b").build()))
        .hasMessageContaining("pin: missing, expected an integer");
  }

  @Test
  void relayStartsAndStopsInItsSafeStateAndOutputSetSwitchesIt() throws Exception {
    Outputs outputs = new Outputs();
    // A typical relay board: the coil energises when the input is pulled low.
    TestSensorContext ctx =
        TestSensorContext.builder("pump")
            .option("pin", 22)
            .option("output", "pump")
            .option("safeState", false)
            .option("activeLow", true)
            .hardware(hw)
            .build();
    Sensor relay = new GpioOutDriver(outputs).create(ctx);
    assertThat(outputs.states()).containsEntry("pump", null);

    relay.start();
    assertThat(hw.gpio().level(22)).as("off = high on an active-low board").isTrue();
    assertThat(relay.read()).extracting(Reading::boolValue).containsExactly(false);

    CommandResult on =
        outputs.commandHandler().handle(command(Map.of("output", "pump", "value", true)));
    assertThat(on.status()).isEqualTo(CommandResult.Status.SUCCEEDED);
    assertThat(on.result()).isEqualTo(Map.of("output", "pump", "value", true, "previous", false));
    assertThat(hw.gpio().level(22)).isFalse();
    assertThat(outputs.states()).containsEntry("pump", true);
    assertThat(relay.read()).extracting(Reading::boolValue).containsExactly(true);

    relay.close(); // agent shutdown
    assertThat(hw.gpio().history(22)).containsExactly(true, false, true);
    assertThat(hw.gpio().claimed(22)).isFalse();
    assertThat(outputs.states()).containsEntry("pump", null);
  }

  @Test
  void outputSetRejectsBadArgumentsAndFailsForAStoppedOutput() throws Exception {
    Outputs outputs = new Outputs();
    new GpioOutDriver(outputs)
        .create(
            TestSensorContext.builder("led")
                .option("pin", 5)
                .option("safeState", false)
                .hardware(hw)
                .build());
    var handler = outputs.commandHandler();
    assertThat(handler.name()).isEqualTo("output.set");
    assertThatThrownBy(() -> handler.handle(command(Map.of("output", "fan", "value", true))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("\"fan\" is not an output of this device (outputs: [led])");
    assertThatThrownBy(() -> handler.handle(command(Map.of("output", "led", "value", "on"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("value: expected true or false, got \"on\"");
    assertThatThrownBy(() -> handler.handle(command(Map.of("output", "led"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("value: missing");
    CommandResult r = handler.handle(command(Map.of("output", "led", "value", true)));
    assertThat(r.status()).isEqualTo(CommandResult.Status.FAILED);
    assertThat(r.errorMessage()).contains("output \"led\" is not running");
  }

  @Test
  void safeStateMustBeDeclared() {
    assertThatThrownBy(
            () ->
                new GpioOutDriver(new Outputs())
                    .create(TestSensorContext.builder("x").option("pin", 5).build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("safeState: missing: declare the state");
  }

  @Test
  void aPinClaimedTwiceFailsTheSecondStart() throws Exception {
    Outputs outputs = new Outputs();
    Sensor a =
        new GpioOutDriver(outputs)
            .create(
                TestSensorContext.builder("a")
                    .option("pin", 6)
                    .option("safeState", false)
                    .hardware(hw)
                    .build());
    Sensor b =
        new GpioOutDriver(outputs)
            .create(
                TestSensorContext.builder("b")
                    .option("pin", 6)
                    .option("safeState", false)
                    .hardware(hw)
                    .build());
    a.start();
    assertThatThrownBy(b::start)
        .hasMessage(
            "gpio-out \"b\" on GPIO 6: claiming the pin failed: GPIO 6 is busy (already claimed)");
    a.close();
    b.close();
  }

  private static Command command(Map<String, Object> args) {
    return new Command(
        "c-1",
        "output.set",
        new Options("command c-1", args),
        "system",
        Instant.now().plusSeconds(10));
  }

  @Test
  void everyBuiltInTypeIsListedOnce() {
    List<String> types = Drivers.all().stream().map(SensorFactory::type).toList();
    assertThat(types)
        .doesNotHaveDuplicates()
        .contains(
            "bme280",
            "bmp280",
            "sht3x",
            "bh1750",
            "ads1115",
            "mcp3008",
            "ds18b20",
            "cpu-temp",
            "system",
            "gpio-in",
            "gpio-out");
  }
}
