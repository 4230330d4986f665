package io.outpost.agent.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the JSON of configuration files and profiles into plain Java values (String, Long or
 * Double, Boolean, List, Map, null). Strict RFC 8259 — no single quotes, unquoted keys, NaN,
 * trailing commas or trailing text, and a key may appear only once per object — with one allowance
 * for humans: {@code //} and {@code /* … *}{@code /} comments outside strings. Errors name the line
 * and column and say what was expected; they never mention a parsing library.
 */
public final class StrictJson {
  /**
   * Deeper nesting than any configuration needs; stops a hostile file from exhausting the stack.
   */
  private static final int MAX_DEPTH = 64;

  /** A syntax error at a position (1-based line and column). */
  public static final class SyntaxError extends Exception {
    private final int line;
    private final int column;
    private final String problem;

    SyntaxError(int line, int column, String problem) {
      super("line " + line + ", column " + column + ": " + problem);
      this.line = line;
      this.column = column;
      this.problem = problem;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }

    public String problem() {
      return problem;
    }
  }

  private final String s;
  private int pos;
  private int depth;

  private StrictJson(String text) {
    this.s = text;
  }

  /** Parses one JSON value, optionally surrounded by whitespace and comments. */
  public static Object parse(String text) throws SyntaxError {
    StrictJson p = new StrictJson(text);
    p.skipSpace();
    if (p.pos >= text.length()) {
      throw p.error(p.pos, "empty document, expected a JSON value");
    }
    Object v = p.value();
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error(p.pos, "unexpected " + p.describe(p.pos) + " after the JSON value");
    }
    return v;
  }

  private Object value() throws SyntaxError {
    if (pos >= s.length()) {
      throw error(pos, "unexpected end of file, expected a value");
    }
    char c = s.charAt(pos);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case '\'' -> throw error(pos, "single quotes are not JSON; use double quotes");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        yield word();
      }
    };
  }

  private Map<String, Object> object() throws SyntaxError {
    enter();
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Integer> firstSeen = new HashMap<>();
    pos++; // '{'
    skipSpace();
    if (peek() == '}') {
      pos++;
      depth--;
      return out;
    }
    while (true) {
      skipSpace();
      int keyAt = pos;
      char c = peek();
      if (c == '}') {
        throw error(pos, "trailing comma before '}'");
      }
      if (c == '\'') {
        throw error(pos, "single quotes are not JSON; put keys in double quotes");
      }
      if (c != '"') {
        if (Character.isJavaIdentifierStart(c)) {
          throw error(pos, "unquoted key " + quoteWord(pos) + "; keys must be in double quotes");
        }
        throw error(pos, "expected a key in double quotes, found " + describe(pos));
      }
      String key = string();
      Integer first = firstSeen.putIfAbsent(key, keyAt);
      if (first != null) {
        throw error(
            keyAt,
            "duplicate key \""
                + key
                + "\" (first at line "
                + lineOf(first)
                + "); each key may appear once per object");
      }
      skipSpace();
      if (peek() != ':') {
        throw error(pos, "expected ':' after key \"" + key + "\", found " + describe(pos));
      }
      pos++;
      skipSpace();
      out.put(key, value());
      skipSpace();
      c = peek();
      if (c == ',') {
        pos++;
        continue;
      }
      if (c == '}') {
        pos++;
        depth--;
        return out;
      }
      throw error(
          pos, "expected ',' or '}' after the value of \"" + key + "\", found " + describe(pos));
    }
  }

  private List<Object> array() throws SyntaxError {
    enter();
    List<Object> out = new ArrayList<>();
    pos++; // '['
    skipSpace();
    if (peek() == ']') {
      pos++;
      depth--;
      return out;
    }
    while (true) {
      skipSpace();
      if (peek() == ']') {
        throw error(pos, "trailing comma before ']'");
      }
      out.add(value());
      skipSpace();
      char c = peek();
      if (c == ',') {
        pos++;
        continue;
      }
      if (c == ']') {
        pos++;
        depth--;
        return out;
      }
      throw error(pos, "expected ',' or ']' in a list, found " + describe(pos));
    }
  }

  private String string() throws SyntaxError {
    int start = pos;
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error(start, "string is not closed");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        pos++;
        return sb.toString();
      }
      if (c < 0x20) {
        throw error(
            pos,
            c == '\n'
                ? "line break inside a string (write \\n, or close the string)"
                : "control character inside a string (escape it as \\u" + hex4(c) + ")");
      }
      if (c != '\\') {
        sb.append(c);
        pos++;
        continue;
      }
      if (pos + 1 >= s.length()) {
        throw error(start, "string is not closed");
      }
      char e = s.charAt(pos + 1);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 6 > s.length() || !s.substring(pos + 2, pos + 6).matches("[0-9a-fA-F]{4}")) {
            throw error(pos, "\\u must be followed by four hex digits");
          }
          sb.append((char) Integer.parseInt(s.substring(pos + 2, pos + 6), 16));
          pos += 4;
        }
        default -> throw error(pos, "unknown escape \\" + e + " in a string");
      }
      pos += 2;
    }
  }

  private Object number() throws SyntaxError {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
      if (isDigit(peek())) {
        throw error(start, "numbers must not have leading zeros");
      }
    } else if (!digits()) {
      if (s.startsWith("Infinity", pos)) {
        throw error(start, "-Infinity is not a JSON number (numbers must be finite)");
      }
      throw error(start, "expected a digit after '-'");
    }
    if (peek() == '.') {
      pos++;
      if (!digits()) {
        throw error(pos, "expected a digit after the decimal point");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!digits()) {
        throw error(pos, "expected a digit in the exponent");
      }
    }
    if (Character.isLetterOrDigit(peek()) || peek() == '_') {
      throw error(start, "malformed number " + quoteWord(start));
    }
    BigDecimal d = new BigDecimal(s.substring(start, pos));
    try {
      return d.longValueExact();
    } catch (ArithmeticException notIntegral) {
      double v = d.doubleValue();
      if (Double.isInfinite(v)) {
        throw error(start, "number " + s.substring(start, pos) + " is out of range");
      }
      return v;
    }
  }

  private Object word() throws SyntaxError {
    int start = pos;
    if (!Character.isJavaIdentifierStart(peek())) {
      throw error(pos, "unexpected " + describe(pos) + ", expected a value");
    }
    while (pos < s.length() && Character.isJavaIdentifierPart(s.charAt(pos))) {
      pos++;
    }
    String w = s.substring(start, pos);
    return switch (w) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      case "null" -> null;
      case "NaN", "Infinity" ->
          throw error(start, w + " is not a JSON number (numbers must be finite)");
      default ->
          throw error(
              start,
              "unexpected word \""
                  + w
                  + "\" (strings must be in double quotes; literals are true, false and null)");
    };
  }

  private boolean digits() {
    int start = pos;
    while (isDigit(peek())) {
      pos++;
    }
    return pos > start;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Skips whitespace and comments. */
  private void skipSpace() throws SyntaxError {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else if (c == '/' && pos + 1 < s.length() && s.charAt(pos + 1) == '/') {
        while (pos < s.length() && s.charAt(pos) != '\n') {
          pos++;
        }
      } else if (c == '/' && pos + 1 < s.length() && s.charAt(pos + 1) == '*') {
        int end = s.indexOf("*/", pos + 2);
        if (end < 0) {
          throw error(pos, "comment is not closed (missing */)");
        }
        pos = end + 2;
      } else {
        return;
      }
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void enter() throws SyntaxError {
    if (++depth > MAX_DEPTH) {
      throw error(pos, "nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private String describe(int at) {
    if (at >= s.length()) {
      return "end of file";
    }
    char c = s.charAt(at);
    if (Character.isJavaIdentifierStart(c)) {
      return quoteWord(at);
    }
    return c < 0x20 || c == 0x7f ? "character U+" + hex4(c) : "'" + c + "'";
  }

  private String quoteWord(int at) {
    int end = at;
    while (end < s.length() && end - at < 40 && Character.isJavaIdentifierPart(s.charAt(end))) {
      end++;
    }
    return "\"" + s.substring(at, Math.max(end, at + 1)) + "\"";
  }

  private static String hex4(char c) {
    return String.format("%04X", (int) c);
  }

  private int lineOf(int at) {
    int line = 1;
    for (int i = 0; i < at && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private SyntaxError error(int at, String problem) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < at && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new SyntaxError(line, col, problem);
  }
}
