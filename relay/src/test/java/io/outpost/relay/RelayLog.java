package io.outpost.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The lines the relay logged (at INFO and above; the build points {@code outpost.log.file} there)
 * since this object was made.
 */
final class RelayLog {
  private static final Path LOG = Path.of("target", "relay-test.log");
  private static final Pattern DATE =
      Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{3})? ");
  private final long start;

  RelayLog() throws IOException {
    start = Files.exists(LOG) ? Files.size(LOG) : 0;
  }

  List<String> lines() throws IOException {
    byte[] all = Files.readAllBytes(LOG);
    return new String(all, (int) start, all.length - (int) start, StandardCharsets.UTF_8)
        .lines()
        .toList();
  }

  /**
   * Lines of stack traces, errors and warnings with exceptions: none are expected from hostile
   * input.
   */
  List<String> troubles() throws IOException {
    return lines().stream()
        .map(l -> DATE.matcher(l).replaceFirst(""))
        .filter(l -> l.startsWith("ERROR") || l.startsWith("\tat ") || l.startsWith("WARN"))
        .toList();
  }
}
