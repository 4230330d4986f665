package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the JSON files a person writes (configuration, drop-ins, profiles): UTF-8 text parsed by
 * {@link StrictJson}. Every failure is a {@link ConfigException} naming the file and, for syntax
 * errors, the line and column.
 */
public final class JsonFiles {
  /** Larger than any configuration or profile; a bigger file is a mistake, not a config. */
  static final long MAX_BYTES = 4_000_000;

  private JsonFiles() {}

  /**
   * Reads and parses {@code file}.
   *
   * @throws NoSuchFileException when it does not exist (callers word that differently)
   * @throws ConfigException when it cannot be read, is not UTF-8 text or is not strict JSON
   */
  public static Object read(Path file) throws NoSuchFileException, ConfigException {
    String where = file.toString();
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw new ConfigException(where, "", "is a directory, expected a JSON file");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new ConfigException(
            where, "", "is " + Files.size(file) + " bytes, larger than any configuration");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (AccessDeniedException e) {
      throw new ConfigException(where, "", "cannot read: permission denied");
    } catch (IOException e) {
      throw new ConfigException(where, "", "cannot read: " + e.getMessage());
    }
    return parse(bytes, where);
  }

  /** Parses UTF-8 {@code bytes}; {@code source} names them in messages. */
  public static Object parse(byte[] bytes, String source) throws ConfigException {
    return parse(decode(bytes, source), source);
  }

  /** Parses {@code text}; {@code source} names it in messages. */
  public static Object parse(String text, String source) throws ConfigException {
    try {
      return StrictJson.parse(text);
    } catch (StrictJson.SyntaxError e) {
      throw new ConfigException(source, "", "not valid JSON: " + e.getMessage());
    }
  }

  /** UTF-8 text without a byte order mark; a binary file gets a message that says so. */
  static String decode(byte[] bytes, String source) throws ConfigException {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        throw new ConfigException(
            source, "", "is not a text file (contains a NUL byte at offset " + i + ")");
      }
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      int at = firstInvalidUtf8(bytes);
      throw new ConfigException(
          source,
          "",
          "is not UTF-8 text (byte 0x"
              + String.format("%02X", bytes[at] & 0xff)
              + " at offset "
              + at
              + "); save it as UTF-8");
    }
  }

  private static int firstInvalidUtf8(byte[] b) {
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int n =
          c < 0x80
              ? 0
              : c >= 0xc2 && c < 0xe0
                  ? 1
                  : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
      if (n < 0) {
        return i;
      }
      for (int k = 1; k <= n; k++) {
        if (i + k >= b.length || (b[i + k] & 0xc0) != 0x80) {
          return i;
        }
      }
      i += n + 1;
    }
    return Math.max(0, b.length - 1);
  }
}
