package io.outpost.agent.outbox;

import static io.outpost.agent.outbox.OutboxFixtures.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The store's format version, and what an older agent does with a store a newer one wrote. */
@Timeout(30)
class StoreFormatTest {
  @TempDir Path dir;

  private Outbox open() throws Exception {
    return OutboxFixtures.openDurable(dir);
  }

  private static long query(Path db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  private static String sha256(Path f) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
  }

  /** A store as a newer agent left it: 5 messages, a higher user_version, checkpointed. */
  private String storeFromANewerAgent(int format) throws Exception {
    Outbox o = open();
    for (int i = 1; i <= 5; i++) {
      o.appendTelemetry(telemetry(i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 5);
    String stream = o.stream();
    o.close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
        Statement st = c.createStatement()) {
      st.execute("PRAGMA user_version=" + format);
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    return stream;
  }

  @Test
  void aNewStoreCarriesTheFormatThisAgentWrites() throws Exception {
    open().close();
    assertThat(query(dir.resolve("outbox.db"), "PRAGMA user_version"))
        .isEqualTo(SqliteStore.FORMAT)
        .isEqualTo(1);
  }

  @Test
  void aStoreFromBeforeTheVersionWasKeptIsReadAsFormatOne() throws Exception {
    String stream = storeFromANewerAgent(0);
    Outbox o = open();
    try {
      assertThat(o.stream()).isEqualTo(stream);
      assertThat(o.pendingMessages()).isEqualTo(5);
      assertThat(o.stats()).doesNotContainKey("recovery");
    } finally {
      o.close();
    }
    assertThat(query(dir.resolve("outbox.db"), "PRAGMA user_version")).isEqualTo(1);
  }

  @Test
  void aStoreOfANewerFormatIsMovedAsideIntactAndAFreshStoreBegins() throws Exception {
    String newerStream = storeFromANewerAgent(SqliteStore.FORMAT + 1);
    String before = sha256(dir.resolve("outbox.db"));

    Outbox o = open();
    Path aside;
    try {
      assertThat(o.stream()).as("a new stream").isNotEqualTo(newerStream);
      assertThat(o.pendingMessages()).as("nothing of the newer store is sent").isZero();
      try (Stream<Path> files = Files.list(dir)) {
        List<Path> set =
            files.filter(f -> f.getFileName().toString().matches("outbox\\.db\\.v2-\\d+")).toList();
        assertThat(set).hasSize(1);
        aside = set.get(0);
      }
      assertThat((String) o.stats().get("recovery"))
          .startsWith(
              "outbox.db has store format 2 (written by a newer Outpost), this agent reads 1: moved"
                  + " it aside unchanged to "
                  + aside.getFileName()
                  + " with its 5 messages (not sent, not deleted; upgrade Outpost again and put it"
                  + " back as outbox.db to send them")
          .endsWith("new stream " + o.stream())
          .doesNotContain("damaged");
      assertThat(o.stats().get("dropped")).isEqualTo(0L);

      o.appendTelemetry(telemetry(99));
      await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 1);
    } finally {
      o.close();
    }
    assertThat(sha256(aside)).as("the newer store, byte for byte").isEqualTo(before);
    assertThat(query(aside, "PRAGMA user_version")).isEqualTo(2);
    assertThat(query(aside, "SELECT COUNT(*) FROM outbox")).isEqualTo(5);
    assertThat(query(dir.resolve("outbox.db"), "PRAGMA user_version")).isEqualTo(1);
    assertThat(query(dir.resolve("outbox.db"), "SELECT COUNT(*) FROM outbox")).isEqualTo(1);

    // The next start leaves the set-aside file alone and keeps the fresh store.
    Outbox again = open();
    try {
      assertThat(again.pendingMessages()).isEqualTo(1);
      assertThat(again.stats()).doesNotContainKey("recovery");
    } finally {
      again.close();
    }
    assertThat(sha256(aside)).isEqualTo(before);
  }
}
