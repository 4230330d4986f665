package io.outpost.agent.hardware;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The error for a bus or pin Pi4J could not open on a machine that is not a Raspberry Pi. Pi4J's
 * own message there points the wrong way ({@code provider [gpiod-digital-output] could not be
 * found. Please include this 'provider' JAR}, {@code No gpio chip yet initialized!}): the jars are
 * all present, the board is the cause. This one names the board and what the interface needs.
 */
final class OffPi {
  private static final String SIMULATE =
      "to run this profile here, simulate the hardware (the profile's -sim variant or a"
          + " \"simulate\" block, docs/simulation.md)";

  private final Path root;
  private final Board board;

  /**
   * @param root the file system root the device nodes are looked up under ({@code /} but in tests)
   */
  OffPi(Path root, Board board) {
    this.root = root;
    this.board = board;
  }

  /** For {@code claiming GPIO 17 as input failed: ...}. */
  String gpio() {
    return board.notAPi()
        + "; real GPIO needs a Raspberry Pi (Pi4J's gpiod library loads only there) with "
        + node("/dev/gpiochip0")
        + " and the agent's user in group gpio; "
        + SIMULATE;
  }

  /** For {@code opening I2C device 0x76 on bus 1 failed: ...}. */
  String i2c(int bus) {
    return board.notAPi()
        + "; I2C bus "
        + bus
        + " needs "
        + node("/dev/i2c-" + bus)
        + " and the agent's user in group i2c: is I2C enabled (on a Raspberry Pi:"
        + " dtparam=i2c_arm=on in config.txt, or raspi-config)? "
        + SIMULATE;
  }

  /** For {@code opening SPI /dev/spidev0.0 failed: ...}. */
  String spi(int bus, int chipSelect) {
    return board.notAPi()
        + "; SPI needs "
        + node("/dev/spidev" + bus + "." + chipSelect)
        + " and the agent's user in group spi: is SPI enabled (on a Raspberry Pi:"
        + " dtparam=spi=on in config.txt, or raspi-config)? "
        + SIMULATE;
  }

  /** {@code /dev/i2c-1 (absent here)}, so the reader knows whether the node is the problem. */
  private String node(String path) {
    boolean present = Files.exists(root.resolve(path.substring(1)));
    return path + (present ? " (present here)" : " (absent here)");
  }
}
