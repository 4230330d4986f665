package io.outpost.agent.outbox;

import static io.outpost.agent.outbox.OutboxFixtures.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A store damaged in ways SQLite's integrity check does not see never blocks the agent. */
@Timeout(30)
class DamagedStoreTest {
  @TempDir Path dir;
  private final List<Outbox> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(Outbox::close);
  }

  private Outbox open() throws Exception {
    Outbox o = OutboxFixtures.openDurable(dir);
    open.add(o);
    return o;
  }

  private void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
        Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  @Test
  void aRowThatCannotBeSentIsQuarantinedAnnouncedOnceAndTheBacklogBehindItDrains()
      throws Exception {
    Outbox o = open();
    for (int i = 1; i <= 30; i++) {
      o.appendTelemetry(telemetry(i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 30);
    o.close();
    open.clear();
    // Both pass SQLite's integrity check.
    sql("update outbox set body = 'not json{' where rid = 10");
    sql("update outbox set channel = NULL where rid = 20");

    Outbox again = open();
    try (Consumer c = new Consumer(again)) {
      c.connect();
      await().atMost(Duration.ofSeconds(10)).until(() -> again.pendingMessages() == 0);
      for (long s = 1; s <= 30; s++) {
        assertThat(c.delivered(s)).as("seq %d", s).isEqualTo(s != 10 && s != 20);
      }
      assertThat(c.announcements())
          .extracting(
              a -> a.get("fromSeq").getAsLong() + ".." + a.get("toSeq").getAsLong(),
              a -> a.get("reason").getAsString())
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("10..10", "unreadable"),
              org.assertj.core.groups.Tuple.tuple("20..20", "unreadable"));
      c.assertEverySeqDeliveredOrAnnounced((long) again.stats().get("lastSeq"));
      assertThat(again.stats()).containsEntry("quarantined", 2L);
    }
    again.close();
    open.clear();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select seq, why from quarantine order by seq")) {
      List<String> kept = new ArrayList<>();
      while (rs.next()) {
        kept.add(rs.getLong(1) + ": " + rs.getString(2));
      }
      assertThat(kept).containsExactly("10: body is not JSON", "20: no channel and no recipient");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"directory", "dangling symlink", "fifo"})
  void aPathThatIsNotAFileIsMovedAsideAndTheAgentStartsFresh(String kind) throws Exception {
    Path db = dir.resolve("outbox.db");
    switch (kind) {
      case "directory" -> Files.createDirectories(db.resolve("inside"));
      case "dangling symlink" -> Files.createSymbolicLink(db, dir.resolve("nowhere"));
      default -> {
        Process p = new ProcessBuilder("mkfifo", db.toString()).start();
        assertThat(p.waitFor()).isZero();
      }
    }
    Outbox o = open();
    assertThat((String) o.stats().get("recovery"))
        .contains("store was damaged")
        .contains(
            switch (kind) {
              case "directory" -> "was a directory";
              case "dangling symlink" -> "was a dangling symbolic link";
              default -> "was not a file";
            });
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("outbox.db.corrupt-"));
    }
    assertThat(Files.isRegularFile(db, LinkOption.NOFOLLOW_LINKS)).isTrue();
    o.appendTelemetry(telemetry(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> o.committedRid() >= 1);
    assertThat(o.writable()).isTrue();
  }
}
