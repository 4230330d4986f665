package io.outpost.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LoggerTest {
  private static final String DATE = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}";
  private final PrintStream savedErr = System.err;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final String thread = Thread.currentThread().getName();

  @BeforeEach
  void captureStandardError() {
    LogWriter.reset();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(savedErr);
    LogWriter.reset();
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aLineIsDateLevelThreadAndMessageOnTheStandardErrorOfTheMoment() {
    Logger.info("sensor {} read {}", "t1", 21.5);
    assertThat(err()).matches(DATE + " INFO \\[" + thread + "\\] sensor t1 read 21.5\n");
  }

  @Test
  void anArgumentWhoseToStringThrowsIsNamedAndTheCallDoesNotThrow() {
    Object broken =
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("no text");
          }
        };
    Logger.warn("reading {} from {}", broken, "t1");
    assertThat(err())
        .matches(
            DATE
                + " WARN \\["
                + thread
                + "\\] reading <.*\\.toString\\(\\) failed: java.lang.IllegalStateException: no text>"
                + " from t1\n");
  }

  @Test
  void theRelaysShortLayoutHasNoMillisecondsAndNoThreadAndPutsInfoOnStandardOutput() {
    PrintStream savedOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      Logger.configure("info", null, Layout.SHORT);
      Logger.warn("relay {}", "slow");
      Logger.info("relay {}", "ready");
    } finally {
      System.setOut(savedOut);
    }
    assertThat(err()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d WARN: relay slow\n");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d INFO: relay ready\n");
  }

  @Test
  void placeholdersTakeArgumentsInOrderAndStayWhenArgumentsRunOut() {
    int[] array = {1};
    String arrayString = String.valueOf(array);
    Logger.info("a {} b {} c {}", null, array, "x", "unused");
    Logger.info("few {} {}", "one");
    Logger.info("no arguments {}");
    Logger.info("can't {} '{}'", 1, 2);
    assertThat(err().lines().map(l -> l.substring(l.indexOf("] ") + 2)))
        .containsExactly(
            "a null b " + arrayString + " c x", "few one {}", "no arguments {}", "can't 1 '2'");
  }

  @Test
  void anExceptionFollowsTheMessageAsPrintStackTraceRendersIt() {
    IllegalStateException e = new IllegalStateException("boom", new RuntimeException("cause"));
    Logger.warn(e, "failed {}", "x");
    Logger.error(e);
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    String lines = err();
    String first = lines.substring(0, lines.indexOf(trace.toString()) + trace.toString().length());
    assertThat(first).matches("(?s)" + DATE + " WARN \\[" + thread + "\\] failed x: .*");
    assertThat(first).endsWith("failed x: " + trace);
    assertThat(trace.toString()).contains("Caused by: java.lang.RuntimeException: cause\n\t... ");
    assertThat(lines.substring(first.length()))
        .matches("(?s)" + DATE + " ERROR \\[" + thread + "\\] java.lang.IllegalStateException.*")
        .endsWith("] " + trace);
  }

  @Test
  void belowTheLevelNothingIsWrittenAndNoArgumentIsFormatted() {
    Logger.configure("warn", null, Layout.DETAILED);
    AtomicInteger formatted = new AtomicInteger();
    Object counted =
        new Object() {
          @Override
          public String toString() {
            return "n" + formatted.incrementAndGet();
          }
        };
    Logger.trace("t {}", counted);
    Logger.debug("d {}", counted);
    Logger.info("i {}", counted);
    Logger.warn("w {}", counted);
    Logger.error("e {}", counted);
    assertThat(err().lines().map(l -> l.substring(24)))
        .containsExactly("WARN [" + thread + "] w n1", "ERROR [" + thread + "] e n2");
  }

  @Test
  void theFirstLineFixesTheConfiguration() {
    Logger.info("first");
    Logger.configure("error", null, Layout.SHORT);
    Logger.info("second");
    assertThat(err().lines().map(l -> l.substring(24)))
        .containsExactly("INFO [" + thread + "] first", "INFO [" + thread + "] second");
  }

  @Test
  void theFirstConfigurationWinsAndPackageLevelsCanStillBeAdded() {
    Logger.configure("warn", null, Layout.DETAILED);
    Logger.configure("info", null, Layout.SHORT);
    Logger.setLevel("org.glassfish", "error");
    JulBridge.install();
    Logger.info("dropped");
    java.util.logging.Logger.getLogger("org.glassfish.grizzly.X").warning("dropped too");
    Logger.warn("kept");
    assertThat(Logger.isEnabled(Logger.WARN, "org.glassfish.grizzly.X")).isFalse();
    assertThat(err().lines().map(l -> l.substring(24)))
        .containsExactly("WARN [" + thread + "] kept");
  }

  @Test
  void aFileIsAppendedTo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.log");
    Files.writeString(file, "earlier line\n");
    Logger.configure("debug", file, Layout.DETAILED);
    Logger.debug("to the file {}", "é");
    assertThat(err()).isEmpty();
    assertThat(Files.readString(file))
        .matches("earlier line\n" + DATE + " DEBUG \\[" + thread + "\\] to the file é\n");
  }

  @Test
  void theDateIsLocalTimeAcrossDaylightSavingChangesAndCenturies() {
    DateTimeFormatter expected = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    for (String zone : new String[] {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"}) {
      TimeZone tz = TimeZone.getTimeZone(zone);
      for (String at :
          new String[] {
            "2026-03-29T00:59:59.999Z", "2026-03-29T01:00:00.000Z", "2026-10-25T00:59:59.999Z",
            "2026-10-25T01:00:00.001Z", "2000-02-29T23:59:59.123Z", "1969-12-31T23:59:59.999Z",
            "2100-03-01T00:00:00.000Z", "1900-01-01T12:00:00.000Z"
          }) {
        long millis = Instant.parse(at).toEpochMilli();
        StringBuilder b = new StringBuilder();
        LogWriter.timestamp(b, millis + tz.getOffset(millis), true);
        assertThat(b.toString())
            .as("%s in %s", at, zone)
            .isEqualTo(
                LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.of(zone))
                    .format(expected));
      }
    }
  }

  @Test
  void javaUtilLoggingRecordsAreBridgedWithTheirLevelsAndPackageLevels() {
    Logger.setLevel("org.glassfish", "warn");
    JulBridge.install();
    java.util.logging.Logger.getLogger("org.glassfish.grizzly.X").info("started");
    java.util.logging.Logger.getLogger("org.glassfish.grizzly.X").warning("slow");
    java.util.logging.Logger.getLogger("org.eclipse.paho.Y")
        .log(java.util.logging.Level.SEVERE, "lost {0}", "link");
    java.util.logging.Logger.getLogger("org.eclipse.paho.Y").fine("dropped at info");
    java.util.logging.Logger.getLogger("com.sun.jna.Z").config("config is info");
    assertThat(err().lines().map(l -> l.substring(24)))
        .containsExactly(
            "WARN [" + thread + "] slow",
            "ERROR [" + thread + "] lost link",
            "INFO [" + thread + "] config is info");
  }

  @Test
  void slf4jLoggersWriteThroughTheLoggerAndAPackageCanBeSilenced() {
    Logger.setLevel("com.pi4j.boardinfo", "off");
    LoggerFactory.getLogger("com.pi4j.boardinfo.util.BoardInfoHelper").error("not a Pi");
    org.slf4j.Logger pi4j = LoggerFactory.getLogger("com.pi4j.Pi4J");
    pi4j.info("{} plugins", 3);
    pi4j.debug("below info");
    pi4j.warn("failed", new IllegalStateException("x"));
    assertThat(pi4j.isDebugEnabled()).isFalse();
    assertThat(err())
        .startsWith(err().substring(0, 24) + "INFO [" + thread + "] 3 plugins\n")
        .contains(" WARN [" + thread + "] failed: java.lang.IllegalStateException: x\n\tat ")
        .doesNotContain("not a Pi")
        .doesNotContain("below info");
  }
}
