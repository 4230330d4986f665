package io.outpost.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoardTest {
  @TempDir Path root;

  private void file(String path, String text) throws Exception {
    Path f = root.resolve(path);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
  }

  @Test
  void aRaspberryPiNamesItselfInTheDeviceTree() throws Exception {
    file("proc/device-tree/model", "Raspberry Pi 4 Model B Rev 1.4\0");
    Board b = Board.detect(root);
    assertThat(b.raspberryPi()).isTrue();
    assertThat(b.model()).isEqualTo("Raspberry Pi 4 Model B Rev 1.4");
  }

  @Test
  void theFirmwareDeviceTreeAndTheCpuinfoModelLineCountToo() throws Exception {
    file("sys/firmware/devicetree/base/model", "Raspberry Pi Compute Module 4 Rev 1.0\0");
    assertThat(Board.detect(root).raspberryPi()).isTrue();

    Path old = root.resolve("old");
    Files.createDirectories(old.resolve("proc"));
    Files.writeString(
        old.resolve("proc/cpuinfo"),
        "processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\n\n"
            + "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 3 Model B Rev 1.2\n");
    assertThat(Board.detect(old)).isEqualTo(new Board("Raspberry Pi 3 Model B Rev 1.2", true));
  }

  @Test
  void anotherBoardIsNamedAndIsNotAPi() throws Exception {
    file("proc/device-tree/model", "Radxa ROCK 5B\0");
    Board b = Board.detect(root);
    assertThat(b.raspberryPi()).isFalse();
    assertThat(b.notAPi()).isEqualTo("this is a 'Radxa ROCK 5B', not a Raspberry Pi");
  }

  @Test
  void aPcOrVirtualMachineIsNamedByItsFirmwareNotByItsCpu() throws Exception {
    // x86's cpuinfo has "model name" and a numeric "model": neither is a board.
    file("proc/cpuinfo", "processor\t: 0\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n");
    file("sys/class/dmi/id/product_name", "QEMU Virtual Machine\n");
    assertThat(Board.detect(root).notAPi())
        .isEqualTo("this is a 'QEMU Virtual Machine', not a Raspberry Pi");
  }

  @Test
  void nothingToGoByIsAnUnknownBoard() {
    assertThat(Board.detect(root)).isEqualTo(new Board(null, false));
    assertThat(Board.detect(root).notAPi())
        .isEqualTo("this is an unknown board (no device-tree model), not a Raspberry Pi");
  }
}
