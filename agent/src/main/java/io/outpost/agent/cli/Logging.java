package io.outpost.agent.cli;

import java.nio.file.Path;
import org.tinylog.configuration.Configuration;

/**
 * Configures tinylog once per process, before the first log line: standard error (so standard
 * output stays clean for {@code sample} and {@code check}), or a file. Tyrus and Grizzly log
 * through java.util.logging, which is bridged into tinylog; Pi4J logs through SLF4J, also into
 * tinylog.
 */
public final class Logging {
  private Logging() {}

  public static void configure(String level, Path file) {
    try {
      if (file == null) {
        Configuration.set("writer", "console");
        Configuration.set("writer.stream", "err");
      } else {
        Configuration.set("writer", "file");
        Configuration.set("writer.file", file.toString());
        Configuration.set("writer.append", "true");
      }
      Configuration.set("writer.level", level);
      Configuration.set(
          "writer.format", "{date: yyyy-MM-dd HH:mm:ss.SSS} {level} [{thread}] {message}");
      Configuration.set("writingthread", "false");
      // Pi4J's board detection logs ERROR lines on any machine that is not a Raspberry Pi (no
      // /proc/device-tree/model, no CPU revision) although nothing failed yet. Only that package is
      // silenced: Pi4J's other warnings stay, the hardware layer logs one line on the board it
      // found,
      // and a pin or bus that cannot be opened is an error naming it.
      Configuration.set("level@com.pi4j.boardinfo", "off");
      // tinylog's own shutdown hook would close the writer while the agent's hook still flushes and
      // logs its last lines; entries are written synchronously, so nothing is lost without it.
      Configuration.set("autoshutdown", "false");
    } catch (UnsupportedOperationException alreadyStarted) {
      // Logging is already running (several commands in one JVM, as in tests): keep it.
    }
    try {
      org.tinylog.jul.JulTinylogBridge.activate();
    } catch (RuntimeException | LinkageError e) {
      // Without the bridge Tyrus logs to the JUL console handler; not worth failing for.
    }
  }
}
