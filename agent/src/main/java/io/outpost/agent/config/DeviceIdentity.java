package io.outpost.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves {@code device.id = "auto"}: the Raspberry Pi serial number from the device tree, else
 * {@code /etc/machine-id}. The file system root is injectable so tests can use a fixture tree.
 */
public final class DeviceIdentity {
  private static final List<String> SERIAL_FILES =
      List.of("proc/device-tree/serial-number", "sys/firmware/devicetree/base/serial-number");

  private final Path root;

  public DeviceIdentity(Path root) {
    this.root = root;
  }

  public static DeviceIdentity system() {
    return new DeviceIdentity(Path.of("/"));
  }

  /**
   * @return the serial (leading zeros kept, NUL terminator stripped) or the machine id
   * @throws IOException when neither source exists or is readable and non-empty
   */
  public String resolve() throws IOException {
    for (String rel : SERIAL_FILES) {
      String s = read(root.resolve(rel));
      if (s != null) {
        return s;
      }
    }
    String mid = read(root.resolve("etc/machine-id"));
    if (mid != null) {
      return mid;
    }
    throw new IOException(
        "no /proc/device-tree/serial-number, /sys/firmware/devicetree/base/serial-number or /etc/machine-id");
  }

  private static String read(Path p) {
    try {
      if (!Files.isRegularFile(p)) {
        return null;
      }
      String s =
          new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).replace("\0", "").trim();
      return s.isEmpty() ? null : s;
    } catch (IOException e) {
      return null;
    }
  }
}
