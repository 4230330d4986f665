package io.outpost.plugin.testkit;

import io.outpost.plugin.SpiDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A simulated SPI chip that answers transfers from a response script, shared by the test kit and
 * the agent's {@code "simulate": {"spi": FILE}} support.
 *
 * <p>Script format: one rule per line, {@code TX -> RX}, each side whitespace-separated hex bytes
 * of the same length. In {@code TX}, {@code xx} matches any byte. {@code #} starts a comment. For
 * each transfer the first rule whose {@code TX} matches answers with its {@code RX}; rules are not
 * used up, so a script describes a steady state. A transfer no rule matches throws {@link
 * IOException} naming the bytes (a driver bug or an incomplete script). Example, an MCP3008 whose
 * channel 0 reads code 512 and channel 1 code 1023:
 *
 * <pre>
 * 01 80 00 -> 00 02 00
 * 01 90 00 -> 00 03 FF
 * </pre>
 *
 * <p>Thread-safe. Tests may {@link #addRule add rules}, look at {@link #transfers()}, and inject
 * failures with {@link #failWith(IOException)}. {@link #close()} does nothing.
 */
public final class ScriptedSpi implements SpiDevice {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

  private final List<Rule> rules = new ArrayList<>();
  private final List<byte[]> transfers = new ArrayList<>();
  private IOException failure;

  public ScriptedSpi() {}

  /** Parses a script; {@code source} names it in error messages. */
  public static ScriptedSpi parse(String script, String source) {
    ScriptedSpi spi = new ScriptedSpi();
    String[] lines = script.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      String where = source + ":" + (i + 1) + ": ";
      int arrow = line.indexOf("->");
      if (arrow < 0) {
        throw new IllegalArgumentException(where + "expected \"TX -> RX\", got \"" + line + "\"");
      }
      int[] tx = bytes(line.substring(0, arrow), where, true);
      int[] rx = bytes(line.substring(arrow + 2), where, false);
      if (tx.length == 0 || tx.length != rx.length) {
        throw new IllegalArgumentException(
            where
                + "TX has "
                + tx.length
                + " bytes and RX has "
                + rx.length
                + "; a transfer clocks the same number of bytes each way");
      }
      spi.rules.add(new Rule(tx, rx));
    }
    return spi;
  }

  /** Reads and parses a script file. */
  public static ScriptedSpi read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Adds a rule after the existing ones, in script syntax: {@code addRule("01 80 00 -> 00 02 00")}.
   */
  public synchronized ScriptedSpi addRule(String rule) {
    rules.addAll(parse(rule, "rule").rules);
    return this;
  }

  /** Every transfer's TX bytes so far, oldest first (copies). */
  public synchronized List<byte[]> transfers() {
    List<byte[]> copy = new ArrayList<>();
    for (byte[] t : transfers) {
      copy.add(t.clone());
    }
    return copy;
  }

  /** Makes every following transfer throw {@code failure}; {@code null} heals. */
  public synchronized void failWith(IOException failure) {
    this.failure = failure;
  }

  @Override
  public synchronized byte[] transfer(byte[] tx) throws IOException {
    Objects.requireNonNull(tx, "tx == null");
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
    transfers.add(tx.clone());
    for (Rule rule : rules) {
      if (rule.matches(tx)) {
        byte[] rx = new byte[tx.length];
        for (int i = 0; i < rx.length; i++) {
          rx[i] = (byte) rule.rx[i];
        }
        return rx;
      }
    }
    throw new IOException("no scripted SPI response for TX [" + HEX.formatHex(tx) + "]");
  }

  @Override
  public void close() {}

  private static int[] bytes(String side, String where, boolean wildcards) {
    String trimmed = side.trim();
    if (trimmed.isEmpty()) {
      return new int[0];
    }
    String[] tokens = trimmed.split("\\s+");
    int[] out = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i].toLowerCase(Locale.ROOT);
      if (wildcards && t.equals("xx")) {
        out[i] = -1;
        continue;
      }
      if (t.startsWith("0x")) {
        t = t.substring(2);
      }
      if (t.isEmpty() || t.length() > 2 || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        throw new IllegalArgumentException(
            where + "\"" + tokens[i] + "\" is not a hex byte" + (wildcards ? " or xx" : ""));
      }
      out[i] = Integer.parseInt(t, 16);
    }
    return out;
  }

  private record Rule(int[] tx, int[] rx) {
    boolean matches(byte[] data) {
      if (data.length != tx.length) {
        return false;
      }
      for (int i = 0; i < tx.length; i++) {
        if (tx[i] >= 0 && tx[i] != (data[i] & 0xFF)) {
          return false;
        }
      }
      return true;
    }
  }
}
