package io.outpost.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The lines the relay logged (at INFO and above; the build points {@code outpost.log.file} there)
 * since this object was made.
 */
final class RelayLog {
  private static final Path LOG = Path.of("target", "relay-test.log");
  private final long start;
  // The timestamp the logger puts first, dated from this object's day to today (a run may cross
  // midnight): removed, so each line starts with its level. A forged line with another date stays.
  private final Pattern stamp;

  RelayLog() throws IOException {
    start = Files.exists(LOG) ? Files.size(LOG) : 0;
    stamp =
        Pattern.compile(
            "^("
                + LocalDate.now()
                + "|"
                + LocalDate.now().plusDays(1)
                + ") \\d\\d:\\d\\d:\\d\\d(\\.\\d{3})? ");
  }

  /** The lines since this object was made, without their timestamps. */
  List<String> lines() throws IOException {
    byte[] all = Files.readAllBytes(LOG);
    return new String(all, (int) start, all.length - (int) start, StandardCharsets.UTF_8)
        .lines()
        .map(l -> stamp.matcher(l).replaceFirst(""))
        .toList();
  }

  /**
   * Lines of stack traces, errors and warnings with exceptions: none are expected from hostile
   * input.
   */
  List<String> troubles() throws IOException {
    return lines().stream()
        .filter(l -> l.startsWith("ERROR") || l.startsWith("\tat ") || l.startsWith("WARN"))
        .toList();
  }
}
