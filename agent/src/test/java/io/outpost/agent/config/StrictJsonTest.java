package io.outpost.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrictJsonTest {
  private static void rejects(String json, String message) {
    assertThatThrownBy(() -> StrictJson.parse(json))
        .isInstanceOf(StrictJson.SyntaxError.class)
        .hasMessage(message);
  }

  @Test
  void readsPlainValuesWithIntegersAsLongs() throws Exception {
    assertThat(StrictJson.parse("{\"a\": [1, 1.5, -2e3, true, null, \"x\\n\\u00e9\"], \"b\": {}}"))
        .isEqualTo(
            Map.of(
                "a", java.util.Arrays.asList(1L, 1.5, -2000L, true, null, "x\né"), "b", Map.of()));
  }

  @Test
  void commentsAreAllowedOutsideStringsOnly() throws Exception {
    assertThat(
            StrictJson.parse(
                """
                // leading
                {"a": "http://x//y", /* block
                   over lines */ "b": 1} // trailing
                """))
        .isEqualTo(Map.of("a", "http://x//y", "b", 1L));
    rejects("{\"a\": 1} /* open", "line 1, column 10: comment is not closed (missing */)");
  }

  @Test
  void lenientJsonIsRejectedWithLineAndColumn() {
    rejects("{'a': 1}", "line 1, column 2: single quotes are not JSON; put keys in double quotes");
    rejects("{\"a\": 'x'}", "line 1, column 7: single quotes are not JSON; use double quotes");
    rejects("{a: 1}", "line 1, column 2: unquoted key \"a\"; keys must be in double quotes");
    rejects(
        "{\"a\":\n  NaN}", "line 2, column 3: NaN is not a JSON number (numbers must be finite)");
    rejects(
        "[-Infinity]", "line 1, column 2: -Infinity is not a JSON number (numbers must be finite)");
    rejects("{\"a\": 1} x", "line 1, column 10: unexpected \"x\" after the JSON value");
    rejects("{\"a\": 1}}", "line 1, column 9: unexpected '}' after the JSON value");
    rejects("{\"a\": 1,}", "line 1, column 9: trailing comma before '}'");
    rejects("[1,]", "line 1, column 4: trailing comma before ']'");
    rejects("{\"a\": 01}", "line 1, column 7: numbers must not have leading zeros");
    rejects(
        "{\"a\": yes}",
        "line 1, column 7: unexpected word \"yes\" (strings must be in double quotes; literals are true, false and null)");
    rejects("{\"a\": 1e999}", "line 1, column 7: number 1e999 is out of range");
    rejects(
        "{\"a\": \"x\ny\"}",
        "line 1, column 9: line break inside a string (write \\n, or close the string)");
    rejects("", "line 1, column 1: empty document, expected a JSON value");
    rejects(
        "{\"a\": 1",
        "line 1, column 8: expected ',' or '}' after the value of \"a\", found end of file");
  }

  @Test
  void aKeyMayAppearOncePerObject() throws Exception {
    rejects(
        "{\"a\": 1,\n \"b\": {\"a\": 2},\n \"a\": 3}",
        "line 3, column 2: duplicate key \"a\" (first at line 1); each key may appear once per object");
    assertThat(StrictJson.parse("[{\"a\": 1}, {\"a\": 2}]"))
        .isEqualTo(List.of(Map.of("a", 1L), Map.of("a", 2L)));
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    rejects("[".repeat(100_000), "line 1, column 65: nested deeper than 64 levels");
  }
}
