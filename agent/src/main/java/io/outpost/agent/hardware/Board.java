package io.outpost.agent.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The board the agent runs on, as the kernel names it: the device-tree model ({@code
 * /proc/device-tree/model}, {@code /sys/firmware/devicetree/base/model}), else the {@code Model}
 * line of {@code /proc/cpuinfo} (older Raspberry Pi kernels), else the firmware's DMI product name
 * ({@code /sys/class/dmi/id/product_name}: PCs, virtual machines). Only the first two can say
 * "Raspberry Pi"; the DMI name is there so an error off a Pi can say what the machine is instead.
 *
 * @param model what the machine calls itself, or null when none of the files names it
 * @param raspberryPi whether the model is a Raspberry Pi (Pi4J's GPIO provider works only there)
 */
record Board(String model, boolean raspberryPi) {
  private static final String PI = "Raspberry Pi";
  private static final List<String> DEVICE_TREE =
      List.of("proc/device-tree/model", "sys/firmware/devicetree/base/model");

  /** The board of this machine. */
  static Board detect() {
    return detect(Path.of("/"));
  }

  /**
   * The board as seen under {@code root} (the file system root; tests pass a directory holding
   * {@code proc/}, {@code sys/} files of their own).
   */
  static Board detect(Path root) {
    for (String file : DEVICE_TREE) {
      String model = read(root.resolve(file));
      if (model != null) {
        return new Board(model, model.startsWith(PI));
      }
    }
    String cpuinfo = cpuinfoModel(root.resolve("proc/cpuinfo"));
    if (cpuinfo != null) {
      return new Board(cpuinfo, cpuinfo.startsWith(PI));
    }
    return new Board(read(root.resolve("sys/class/dmi/id/product_name")), false);
  }

  /** The board for a message: {@code a 'QEMU Virtual Machine'}, or that it is unknown. */
  String describe() {
    return model == null ? "an unknown board (no device-tree model)" : "a '" + model + "'";
  }

  /** E.g. {@code this is a 'QEMU Virtual Machine', not a Raspberry Pi}. */
  String notAPi() {
    return "this is " + describe() + ", not a Raspberry Pi";
  }

  /**
   * The file's text without the device tree's trailing NUL; null when absent, unreadable, blank.
   */
  private static String read(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.ISO_8859_1).replace("\0", "").strip();
      return s.isEmpty() ? null : s;
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  /**
   * The value of the {@code Model} line (exactly that key: x86's {@code model name} and numeric
   * {@code model} are not board names).
   */
  private static String cpuinfoModel(Path cpuinfo) {
    String text = read(cpuinfo);
    if (text == null) {
      return null;
    }
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equals("Model")) {
        String v = line.substring(colon + 1).strip();
        return v.isEmpty() ? null : v;
      }
    }
    return null;
  }
}
