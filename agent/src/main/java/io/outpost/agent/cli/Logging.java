package io.outpost.agent.cli;

import io.outpost.log.JulBridge;
import io.outpost.log.Layout;
import io.outpost.log.Logger;
import java.nio.file.Path;

/**
 * Configures logging once per process, before the first log line: standard error (so standard
 * output stays clean for {@code sample} and {@code check}), or a file. Tyrus and Grizzly log
 * through java.util.logging, which is bridged into the logger; Pi4J logs through SLF4J, also into
 * it. Lines are written synchronously by the thread that logs, so there is no writer thread to stop
 * and nothing is lost at shutdown.
 */
public final class Logging {
  private Logging() {}

  public static void configure(String level, Path file) {
    // Several commands in one JVM (the relay or the demo inside the CLI, tests): the first
    // configuration wins.
    Logger.configure(level, file, Layout.DETAILED);
    // Pi4J's board detection logs ERROR lines on any machine that is not a Raspberry Pi (no
    // /proc/device-tree/model, no CPU revision) although nothing failed yet. Only that package is
    // silenced: Pi4J's other warnings stay, the hardware layer logs one line on the board it
    // found, and a pin or bus that cannot be opened is an error naming it.
    Logger.setLevel("com.pi4j.boardinfo", "off");
    JulBridge.install();
  }
}
