package io.outpost.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.outpost.agent.AgentProcess;
import io.outpost.agent.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code outpost sample} says about Pi4J on a machine that is not a Raspberry Pi (a laptop, a
 * CI runner). Each case runs in its own JVM, because the logging configuration is per process.
 */
@Timeout(60)
class Pi4jLoggingTest {
  private static final Duration LIMIT = Duration.ofSeconds(45);

  @TempDir Path dir;

  @BeforeEach
  void notOnAPi() {
    assumeFalse(
        Files.exists(Path.of("/proc/device-tree/model")), "this machine may be a Raspberry Pi");
  }

  @Test
  void aSimulatedProfileNeverStartsPi4J() throws Exception {
    AgentProcess.Finished r =
        AgentProcess.runToEnd(dir, LIMIT, "sample", "--profile", "greenhouse-sim");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"n\":\"pump/state\",\"vb\":false");
    // Pi4J, once started here, would warn that it cannot initialise gpiod on an unknown board.
    assertThat(r.err()).isEmpty();
  }

  @Test
  void realPinsOffAPiFailWithOneWarningAndWithoutBoardDetectionErrors() throws Exception {
    Path profile =
        TestConfigs.write(
            dir,
            "relay.json",
            """
        {"name": "real-relay", "description": "a relay on the real header", "sensors": [
          {"name": "relay", "type": "gpio-out", "interval": "1s", "pin": 27, "safeState": false}]}
        """);
    Path config =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"laptop\"}, \"profile\": \""
                + profile
                + "\", \"stateDir\": \""
                + dir.resolve("state")
                + "\"}");

    AgentProcess.Finished r =
        AgentProcess.runToEnd(dir, LIMIT, "sample", "--config", config.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .contains("relay: read failed: gpio-out \"relay\" on GPIO 27: claiming the pin failed")
        .contains("Pi4J does not recognise this machine as a Raspberry Pi")
        // Pi4J's board detection (com.pi4j.boardinfo) is silenced: no ERROR lines before anything
        // failed.
        .doesNotContain("ERROR")
        .doesNotContain("device-tree/model (No such file")
        .doesNotContain("board version code");
  }

  @Test
  void realPinsAndBusesOffAPiNameTheBoardAndWhatTheyNeed() throws Exception {
    Path profile =
        TestConfigs.write(
            dir,
            "door.json",
            """
        {"name": "real-door", "description": "a door contact and a BME280 on the real header",
         "sensors": [
          {"name": "door", "type": "gpio-in", "interval": "1s", "pin": 17, "pull": "up"},
          {"name": "env", "type": "bme280", "interval": "1s"}]}
        """);
    Path config =
        TestConfigs.write(
            dir,
            "agent.json",
            "{\"device\": {\"id\": \"laptop\"}, \"profile\": \""
                + profile
                + "\", \"stateDir\": \""
                + dir.resolve("state")
                + "\"}");

    AgentProcess.Finished r =
        AgentProcess.runToEnd(dir, LIMIT, "sample", "--config", config.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    String notAPi =
        "this is (a '[^']+'|an unknown board \\(no device-tree model\\)), not a Raspberry Pi";
    assertThat(r.err())
        .containsPattern(
            "door: read failed: gpio-in on GPIO 17: claiming the pin failed: claiming GPIO 17 as "
                + "input failed: "
                + notAPi
                + "; real GPIO needs a Raspberry Pi \\(Pi4J's gpiod library loads only there\\) "
                + "with /dev/gpiochip0 \\((absent|present) here\\) and the agent's user in group gpio")
        .containsPattern(
            "env: read failed: .*opening I2C device 0x76 on bus 1 failed: "
                + notAPi
                + "; I2C bus 1 needs /dev/i2c-1 .*dtparam=i2c_arm=on")
        // Pi4J's own words off a Pi point at missing jars or an uninitialised chip.
        .doesNotContain("could not be found")
        .doesNotContain("No gpio chip");
  }
}
