package io.outpost.agent.outbox;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.sqlite.jdbc4.JDBC4Connection;

/** The settings and integrity check every SQLite file of the agent gets when it is opened. */
final class SqliteFile {
  private SqliteFile() {}

  /**
   * Opens {@code jdbc:sqlite:<address>} ({@code address} a path, {@code file:…?mode=ro} or {@code
   * :memory:}) with sqlite-jdbc's connection class, as {@code DriverManager.getConnection} does
   * through the driver, but without {@code DriverManager}: its initialisation scans every jar for
   * JDBC drivers and loads about 15 classes the agent keeps for nothing (docs/performance.md,
   * "Memory").
   */
  static Connection open(String address) throws SQLException {
    return new JDBC4Connection("jdbc:sqlite:" + address, address, new Properties());
  }

  /**
   * Sets the pragmas and runs {@code PRAGMA quick_check} on a new connection's statement.
   *
   * @throws SQLException with error code 11 (SQLITE_CORRUPT) when the check does not answer "ok",
   *     so {@link SqliteStore#isCorrupt} recognises it
   */
  static void prepare(Statement st) throws SQLException {
    // Small pages: a commit appends whole pages to the WAL, and an outbox commit changes a few
    // hundred bytes. Only takes effect when the file is created (before WAL mode is set).
    st.execute("PRAGMA page_size=1024");
    st.execute("PRAGMA journal_mode=WAL");
    st.execute("PRAGMA synchronous=NORMAL");
    st.execute("PRAGMA busy_timeout=5000");
    try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
      String verdict = rs.next() ? rs.getString(1) : "no answer";
      if (!"ok".equals(verdict)) {
        throw new SQLException("quick_check: " + verdict, "", 11);
      }
    }
  }
}
