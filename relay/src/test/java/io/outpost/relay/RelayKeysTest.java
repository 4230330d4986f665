package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys file: format, defaults and error messages that point at the problem. */
class RelayKeysTest {
  @TempDir Path dir;

  @Test
  void parsesSecretAndPublishableKeys() {
    RelayKeys keys =
        RelayKeys.parse(
            """
        {"keys": [
          {"id": "sk_id_dev", "secret": "sk_secret_dev", "channelPatterns": ["**"],
           "actions": ["publish", "subscribe", "presence", "send"]},
          {"id": "pk_live_dev", "channelPatterns": ["room-*"], "actions": ["publish", "subscribe", "presence"]}]}
        """);

    RelayKey secret = keys.firstSecretKey().orElseThrow();
    assertThat(secret.bearer()).isEqualTo("sk_id_dev:sk_secret_dev");
    RelayKey publishable = keys.find("pk_live_dev").orElseThrow();
    assertThat(publishable.isSecret()).isFalse();
    assertThat(publishable.allowedOrigins()).containsExactly("*");
    assertThat(publishable.allowsChannel("room-1")).isTrue();
    assertThat(publishable.allowsChannel("admin")).isFalse();
    assertThat(publishable.actions()).containsExactlyInAnyOrder("publish", "subscribe", "presence");
  }

  @Test
  void errorsNameTheFileTheEntryTheKeyAndWhatWasExpected() throws Exception {
    Path file = dir.resolve("keys.json");
    assertError(file, "{\"keys\": [", file + ": not valid JSON");
    assertError(file, "[]", file + ": expected an object {\"keys\": [...]}");
    assertError(
        file,
        "{\"keys\": []}",
        file + ": keys: expected a non-empty array of key entries, got an empty array");
    assertError(
        file,
        "{\"keys\": [{\"secret\": \"sk_secret_x\"}]}",
        file + ": keys[0]: id: expected a non-empty string, got nothing (the field is missing)");
    assertError(
        file,
        "{\"keys\": [{\"id\": \"sk_id_a\", \"secret\": \"sk_secret_a\", \"channelPatterns\": [\"**\"],"
            + " \"actions\": [\"publish\", \"sned\"]}]}",
        file
            + ": keys[0] (\"sk_id_a\"): actions[1]: \"sned\" is not an action (expected one of publish, subscribe,"
            + " presence, send)");
    assertError(
        file,
        "{\"keys\": [{\"id\": \"pk_a\", \"channelPatterns\": \"room-*\", \"actions\": []}]}",
        file
            + ": keys[0] (\"pk_a\"): channelPatterns: expected a non-empty array of strings, got \"room-*\"");
    assertError(
        file,
        "{\"keys\": [{\"id\": \"pk_a\", \"channelPatterns\": [\"a\\\\b\"], \"actions\": []}]}",
        file
            + ": keys[0] (\"pk_a\"): channelPatterns[0]: pattern \"a\\b\": a backslash must be followed by * or \\"
            + " (at index 1)");
    assertError(
        file,
        "{\"keys\": [{\"id\": \"sk_id_a\", \"channelPatterns\": [\"**\"], \"actions\": []}]}",
        file
            + ": keys[0] (\"sk_id_a\"): secret: missing; an entry without \"secret\" is a publishable key and its id"
            + " must start with \"pk_\" (secret keys: \"sk_id_…\" with \"secret\")");
    assertError(
        file,
        "{\"keys\": [{\"id\": \"sk_id_a\", \"secret\": \"oops\", \"channelPatterns\": [\"**\"],"
            + " \"actions\": []}]}",
        file
            + ": keys[0] (\"sk_id_a\"): secret: must start with \"sk_secret_\" and be printable ASCII without spaces");
    assertError(
        file,
        "{\"keys\": [{\"id\": \"pk_a\", \"channelPatterns\": [\"**\"], \"actions\": [],"
            + " \"channelPattern\": []}]}",
        file
            + ": keys[0] (\"pk_a\"): unknown field \"channelPattern\" (expected id, secret, channelPatterns, actions,"
            + " allowedOrigins)");
    assertError(
        file,
        "{\"keys\": [{\"id\": \"pk_a\", \"channelPatterns\": [\"**\"], \"actions\": []},"
            + " {\"id\": \"pk_a\", \"channelPatterns\": [\"**\"], \"actions\": []}]}",
        file + ": keys[1] (\"pk_a\"): id: duplicate key id (ids must be unique)");
  }

  @Test
  void aMissingFileIsReportedAsSuch() {
    Path missing = dir.resolve("nope.json");

    assertThatThrownBy(() -> RelayKeys.load(missing))
        .isInstanceOf(RelayKeysException.class)
        .hasMessage(missing + ": file does not exist");
  }

  @Test
  void developmentKeysAreCreatedOncePrivatelyAndReused() throws Exception {
    Path file = dir.resolve("outpost").resolve("relay-keys.json");

    RelayKeys first = RelayKeys.loadOrCreateDevelopment(file);
    RelayKeys second = RelayKeys.loadOrCreateDevelopment(file);

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(second.firstSecretKey().orElseThrow().bearer())
        .isEqualTo(first.firstSecretKey().orElseThrow().bearer());
    assertThat(first.firstSecretKey().orElseThrow().secret())
        .startsWith("sk_secret_")
        .hasSizeGreaterThan(40);
    assertThat(RelayKeys.parse(first.toJson()).all()).hasSize(2);
  }

  private static void assertError(Path file, String content, String message) throws Exception {
    Files.writeString(file, content);
    assertThatThrownBy(() -> RelayKeys.load(file))
        .isInstanceOf(RelayKeysException.class)
        .satisfies(e -> assertThat(e.getMessage()).startsWith(message));
  }
}
