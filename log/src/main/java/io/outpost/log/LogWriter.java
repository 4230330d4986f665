package io.outpost.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.TimeZone;

/**
 * Formats and writes lines. Deliberately plain: no {@code java.time} formatter, no {@code
 * String.format}, no streams or lambdas, so logging loads a handful of classes.
 */
final class LogWriter {
  private static final String NEW_LINE = System.lineSeparator();
  private static final String[] NAMES = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
  private static final String LEVEL_PROPERTY = System.getProperty("outpost.log.level");
  private static final String FILE_PROPERTY = System.getProperty("outpost.log.file");
  // The JVM's zone; its offset is asked for each line, so a DST change shows at once.
  private static final TimeZone ZONE = TimeZone.getDefault();
  private static final Object LOCK = new Object();

  /** The lowest level written; read without a lock on every call. */
  static volatile int threshold =
      LEVEL_PROPERTY == null ? Logger.INFO : Logger.parseLevel(LEVEL_PROPERTY);

  private static Path file = FILE_PROPERTY == null ? null : Path.of(FILE_PROPERTY);
  private static Layout layout = Layout.DETAILED;
  // Per-name levels: few (one in production), so two arrays and a linear scan.
  private static volatile String[] prefixes = new String[0];
  private static volatile int[] prefixLevels = new int[0];
  private static boolean started;
  private static boolean configured;
  private static OutputStream out;

  private LogWriter() {}

  static void configure(int level, Path logFile, Layout lineLayout) {
    synchronized (LOCK) {
      if (started || configured) {
        return;
      }
      configured = true;
      if (LEVEL_PROPERTY == null) {
        threshold = level;
      }
      if (FILE_PROPERTY == null) {
        file = logFile;
      }
      layout = lineLayout;
    }
  }

  static void setLevel(String prefix, int level) {
    synchronized (LOCK) {
      if (started) {
        return;
      }
      for (int i = 0; i < prefixes.length; i++) {
        if (prefixes[i].equals(prefix)) {
          prefixLevels[i] = level;
          return;
        }
      }
      String[] p = java.util.Arrays.copyOf(prefixes, prefixes.length + 1);
      int[] l = java.util.Arrays.copyOf(prefixLevels, prefixLevels.length + 1);
      p[p.length - 1] = prefix;
      l[l.length - 1] = level;
      prefixLevels = l;
      prefixes = p;
    }
  }

  /** Back to the start-up state (tests): unconfigured, nothing written, the file closed. */
  static void reset() {
    synchronized (LOCK) {
      if (out != null) {
        try {
          out.close();
        } catch (IOException ignored) {
          // Closing only releases the descriptor; the lines were written.
        }
        out = null;
      }
      started = false;
      configured = false;
      threshold = LEVEL_PROPERTY == null ? Logger.INFO : Logger.parseLevel(LEVEL_PROPERTY);
      file = FILE_PROPERTY == null ? null : Path.of(FILE_PROPERTY);
      layout = Layout.DETAILED;
      prefixes = new String[0];
      prefixLevels = new int[0];
    }
  }

  /** The level set for the longest prefix of {@code name}, or TRACE when none is. */
  static int levelOf(String name) {
    String[] p = prefixes;
    int[] l = prefixLevels;
    int found = Logger.TRACE;
    int longest = -1;
    for (int i = 0; i < p.length && name != null; i++) {
      if (p[i].length() > longest
          && name.startsWith(p[i])
          && (name.length() == p[i].length() || name.charAt(p[i].length()) == '.')) {
        found = l[i];
        longest = p[i].length();
      }
    }
    return found;
  }

  static void write(int level, Throwable t, String message, Object[] args) {
    long now = System.currentTimeMillis();
    StringBuilder line = new StringBuilder(80);
    Layout l = layout;
    timestamp(line, now + ZONE.getOffset(now), l == Layout.DETAILED);
    line.append(' ').append(NAMES[level]);
    if (l == Layout.DETAILED) {
      line.append(" [").append(Thread.currentThread().getName()).append("] ");
    } else {
      line.append(": ");
    }
    if (message != null) {
      format(line, message, args);
    }
    if (t != null) {
      if (message != null) {
        line.append(": ");
      }
      throwable(line, t, null, 0);
    }
    line.append(NEW_LINE);
    emit(line.toString(), l == Layout.SHORT && level < Logger.WARN);
  }

  private static void emit(String text, boolean toStandardOutput) {
    synchronized (LOCK) {
      started = true;
      if (file == null) {
        (toStandardOutput ? System.out : System.err).print(text);
        return;
      }
      try {
        if (out == null) {
          out = new FileOutputStream(file.toFile(), true);
        }
        out.write(text.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // The log file cannot be written (disk full, directory removed): the line goes to standard
        // error rather than nowhere.
        System.err.print(text);
      }
    }
  }

  /** {@code yyyy-MM-dd HH:mm:ss[.SSS]} of a local-time epoch millisecond. */
  static void timestamp(StringBuilder b, long localMillis, boolean millis) {
    long days = Math.floorDiv(localMillis, 86_400_000L);
    int ms = (int) Math.floorMod(localMillis, 86_400_000L);
    CivilDate.append(b, days).append(' ');
    CivilDate.pad(b, ms / 3_600_000, 2).append(':');
    CivilDate.pad(b, ms / 60_000 % 60, 2).append(':');
    CivilDate.pad(b, ms / 1000 % 60, 2);
    if (millis) {
      CivilDate.pad(b.append('.'), ms % 1000, 3);
    }
  }

  /**
   * Replaces each {@code {}} by the next argument; {@code {}} left without one stay as they are.
   */
  static void format(StringBuilder b, String message, Object[] args) {
    if (args == null || args.length == 0) {
      b.append(message);
      return;
    }
    int next = 0;
    int from = 0;
    for (int at = message.indexOf("{}");
        at >= 0 && next < args.length;
        at = message.indexOf("{}", from)) {
      b.append(message, from, at);
      argument(b, args[next++]);
      from = at + 2;
    }
    b.append(message, from, message.length());
  }

  /**
   * An argument's text; one whose {@code toString} throws (a plugin's object, say) is named by its
   * class and the failure, so a log call never throws into the code that logs.
   */
  private static void argument(StringBuilder b, Object arg) {
    String text;
    try {
      text = String.valueOf(arg);
    } catch (RuntimeException e) {
      text = "<" + arg.getClass().getName() + ".toString() failed: " + e + ">";
    }
    b.append(text);
  }

  /**
   * The class name, message and stack trace, then each cause without the frames it shares with the
   * exception it caused ("... n more"), as tinylog 2 and {@code printStackTrace} render them.
   */
  static void throwable(StringBuilder b, Throwable t, StackTraceElement[] enclosing, int depth) {
    b.append(t.getClass().getName());
    String message = t.getMessage();
    if (message != null) {
      b.append(": ").append(message);
    }
    StackTraceElement[] trace = t.getStackTrace();
    int last = trace.length - 1;
    if (enclosing != null) {
      for (int e = enclosing.length - 1;
          last >= 0 && e >= 0 && trace[last].equals(enclosing[e]);
          last--, e--) {
        // Skips the frames in common.
      }
    }
    for (int i = 0; i <= last; i++) {
      b.append(NEW_LINE).append("\tat ").append(trace[i]);
    }
    int common = trace.length - 1 - last;
    if (common > 0) {
      b.append(NEW_LINE).append("\t... ").append(common).append(" more");
    }
    Throwable cause = t.getCause();
    // A cause chain that loops (possible with initCause) ends after a bound, as a line not a crash.
    if (cause != null && cause != t && depth < 32) {
      b.append(NEW_LINE).append("Caused by: ");
      throwable(b, cause, trace, depth + 1);
    }
  }
}
