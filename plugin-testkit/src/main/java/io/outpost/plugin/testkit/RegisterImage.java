package io.outpost.plugin.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The text format of a 256-byte I2C register image, shared by the test kit and the agent's {@code
 * "simulate": {"i2c": FILE}} support.
 *
 * <p>The text is whitespace-separated hexadecimal bytes, register {@code 0x00} first. {@code #}
 * starts a comment that runs to the end of the line. A token ending in {@code ':'} (such as {@code
 * 88:} or {@code 0xF7:}) moves the write position to that register, so an image can list only the
 * registers that matter, the way a {@code i2cdump} listing does. Registers never written read as
 * {@code 0x00}. Bytes may carry an optional {@code 0x} prefix. Example:
 *
 * <pre>
 * # BME280 at 0x76: chip id and status
 * D0: 60
 * F3: 00
 * </pre>
 */
public final class RegisterImage {
  /** An I2C register address is one byte. */
  public static final int SIZE = 256;

  private RegisterImage() {}

  /** Parses {@code text}; {@code source} names it in error messages (a file name). */
  public static byte[] parse(String text, String source) {
    byte[] image = new byte[SIZE];
    int position = 0;
    String[] lines = text.split("\n", -1);
    for (int lineNo = 0; lineNo < lines.length; lineNo++) {
      String line = lines[lineNo];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      for (String token : line.trim().split("\\s+")) {
        if (token.isEmpty()) {
          continue;
        }
        String where = source + ":" + (lineNo + 1) + ": ";
        if (token.endsWith(":")) {
          position = parseByte(token.substring(0, token.length() - 1), where, "register address");
          continue;
        }
        if (position >= SIZE) {
          throw new IllegalArgumentException(
              where
                  + "\""
                  + token
                  + "\" would be register 0x100; an image holds registers 0x00..0xFF");
        }
        image[position++] = (byte) parseByte(token, where, "byte");
      }
    }
    return image;
  }

  /** Reads and parses an image file. */
  public static byte[] read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Formats {@code image} as 16 rows of 16 bytes, each row prefixed with its first register. */
  public static String format(byte[] image) {
    StringBuilder sb = new StringBuilder();
    for (int row = 0; row < image.length; row += 16) {
      sb.append(String.format(Locale.ROOT, "%02X:", row));
      for (int i = row; i < Math.min(row + 16, image.length); i++) {
        sb.append(String.format(Locale.ROOT, " %02X", image[i] & 0xFF));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static int parseByte(String token, String where, String what) {
    String t = token.toLowerCase(Locale.ROOT);
    if (t.startsWith("0x")) {
      t = t.substring(2);
    }
    if (t.isEmpty() || t.length() > 2 || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException(
          where + "\"" + token + "\" is not a hex " + what + " (expected 00..FF)");
    }
    return Integer.parseInt(t, 16);
  }
}
