package io.outpost.agent.outbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.tinylog.Logger;

/**
 * The durable store: one SQLite file ({@code outbox.db}) in WAL mode with {@code
 * synchronous=NORMAL} — a commit survives the process being killed; after a power cut the file is
 * consistent but the last commits may be missing. A damaged file is moved aside, what can still be
 * read from it is copied into a fresh one, and the repair is reported.
 *
 * <p>The file carries its layout's version in SQLite's {@code user_version} ({@link #FORMAT}). A
 * file of a newer format (written by a newer agent, found after a downgrade or an A/B rollback) is
 * neither read nor changed: it is moved aside whole, for a newer agent to send.
 */
final class SqliteStore implements Store {
  static final String FILE = "outbox.db";

  /**
   * The layout this code reads and writes. 0 (files from before the version was kept) is the same
   * layout as 1. Raise it with any change an older agent would misread, and teach this class to
   * migrate the older formats.
   */
  static final int FORMAT = 1;

  private final Path dir;
  private Connection conn;

  SqliteStore(Path dir) {
    this.dir = dir;
  }

  @Override
  public Opened open() throws StoreException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StoreException(
          "cannot create state directory " + dir + ": " + e.getMessage(), e, false);
    }
    Path file = dir.resolve(FILE);
    String movedAside = moveAsideIfNotAFile(file);
    try {
      if (movedAside != null) {
        Opened fresh = openAt(file, movedAside);
        Logger.error(movedAside);
        return fresh;
      }
      String newer = moveAsideIfNewer(file);
      if (newer != null) {
        Opened fresh = openAt(file, newer);
        Logger.warn("outbox: {}", fresh.recovery());
        return fresh;
      }
      return openAt(file, null);
    } catch (SQLException e) {
      if (!isCorrupt(e)) {
        throw new StoreException("opening " + file + " failed: " + e.getMessage(), e, false);
      }
      return recover(file, e.getMessage());
    }
  }

  /**
   * A directory, FIFO, socket or dangling symlink where the store should be cannot be opened (a
   * FIFO would even block): it is moved aside like a damaged file, and a fresh store begins.
   *
   * @return the note for status, or null when {@code file} is absent or (a link to) a regular file
   */
  private static String moveAsideIfNotAFile(Path file) throws StoreException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(file)) {
      return null;
    }
    String what =
        Files.isSymbolicLink(file)
            ? "a dangling symbolic link"
            : Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) ? "a directory" : "not a file";
    Path aside = file.resolveSibling(FILE + ".corrupt-" + System.currentTimeMillis());
    try {
      Files.move(file, aside, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new StoreException(
          file + " is " + what + " and could not be moved aside: " + e.getMessage(), e, false);
    }
    return "store was damaged ("
        + file.getFileName()
        + " was "
        + what
        + "); moved it to "
        + aside.getFileName()
        + ", recovered 0 messages and 0 command results, new stream";
  }

  /**
   * Moves a store of a newer format aside with its WAL, untouched (only a read-only connection
   * looks at it, so nothing is checkpointed or rewritten), to {@code outbox.db.v<N>-<millis>}.
   *
   * @return the note for status and the log, or null when the file is absent or of a known format
   */
  private static String moveAsideIfNewer(Path file) throws StoreException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    int format;
    long messages;
    try (Connection c = SqliteFile.open("file:" + file + "?mode=ro");
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        format = rs.next() ? rs.getInt(1) : 0;
      }
      if (format <= FORMAT) {
        return null;
      }
      messages = count(st);
    } catch (SQLException e) {
      return null; // unreadable: the usual open fails and repairs it
    }
    Path aside = file.resolveSibling(FILE + ".v" + format + "-" + System.currentTimeMillis());
    try {
      Files.move(file, aside);
      for (String suffix : List.of("-wal", "-shm")) {
        Path side = file.resolveSibling(FILE + suffix);
        if (Files.exists(side)) {
          Files.move(side, aside.resolveSibling(aside.getFileName() + suffix));
        }
      }
    } catch (IOException e) {
      throw new StoreException(
          file
              + " has store format "
              + format
              + ", newer than this agent's "
              + FORMAT
              + ", and could not be moved aside: "
              + e.getMessage(),
          e,
          false);
    }
    return file.getFileName()
        + " has store format "
        + format
        + " (written by a newer Outpost), this agent reads "
        + FORMAT
        + ": moved it aside unchanged to "
        + aside.getFileName()
        + (messages < 0 ? "" : " with its " + messages + " messages")
        + " (not sent, not deleted; upgrade Outpost again and put it back as "
        + FILE
        + " to send them, docs/operations.md), new stream";
  }

  /** The messages in a store of any format, or -1 when its layout does not say. */
  private static long count(Statement st) {
    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM outbox")) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      return -1;
    }
  }

  static boolean isCorrupt(SQLException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return e.getErrorCode() == 11
        || e.getErrorCode() == 26
        || m.contains("malformed")
        || m.contains("not a database")
        || m.contains("corrupt")
        || m.contains("quick_check");
  }

  private Opened openAt(Path file, String recovery) throws SQLException {
    closeQuietly();
    conn = SqliteFile.open(file.toString());
    try (Statement st = conn.createStatement()) {
      SqliteFile.prepare(st);
      st.execute("CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL)");
      st.execute(
          "CREATE TABLE IF NOT EXISTS outbox(rid INTEGER PRIMARY KEY, cls INTEGER NOT NULL, channel TEXT,"
              + " peer TEXT, seq INTEGER NOT NULL, created INTEGER NOT NULL, body TEXT NOT NULL)");
      st.execute(
          "CREATE TABLE IF NOT EXISTS commands(id TEXT PRIMARY KEY, result TEXT NOT NULL, at INTEGER NOT NULL)");
      st.execute(
          "CREATE TABLE IF NOT EXISTS quarantine(rid INTEGER, cls INTEGER, channel TEXT, peer TEXT,"
              + " seq INTEGER, created INTEGER, body TEXT, why TEXT, at INTEGER)");
      // Written only when it changes: on a read-only file system the open must still succeed.
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        if (rs.next() && rs.getInt(1) < FORMAT) {
          rs.close();
          st.execute("PRAGMA user_version=" + FORMAT);
        }
      }
    }
    conn.setAutoCommit(false);
    String stream = meta("stream");
    if (stream == null) {
      stream = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      putMeta("stream", stream);
    }
    long rows = 0;
    long bytes = 0;
    long maxRid = 0;
    long maxSeq = 0;
    try (Statement st = conn.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(body) + 64), 0), COALESCE(MAX(rid), 0),"
                    + " COALESCE(MAX(seq), 0) FROM outbox")) {
      if (rs.next()) {
        rows = rs.getLong(1);
        bytes = rs.getLong(2);
        maxRid = rs.getLong(3);
        maxSeq = rs.getLong(4);
      }
    }
    long known = Math.max(parse(meta("nextSeq"), 1), maxSeq + 1) - 1;
    // Seqs up to the reservation may have been handed out (and delivered) by the last run; a clean
    // stop lowers it to the last seq used. A store from before reservations has none.
    long nextSeq = Math.max(known, parse(meta("reservedSeq"), known)) + 1;
    long nextRid = Math.max(parse(meta("nextRid"), 1), maxRid + 1);
    conn.commit();
    return new Opened(
        stream,
        nextSeq,
        nextRid,
        rows,
        bytes,
        recovery == null ? null : recovery + " " + stream,
        known);
  }

  private Opened recover(Path file, String why) throws StoreException {
    closeQuietly();
    Path aside = file.resolveSibling(FILE + ".corrupt-" + System.currentTimeMillis());
    try {
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      for (String suffix : List.of("-wal", "-shm")) {
        Path side = file.resolveSibling(FILE + suffix);
        if (Files.exists(side)) {
          Files.move(
              side,
              aside.resolveSibling(aside.getFileName() + suffix),
              StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new StoreException(
          "the store "
              + file
              + " is damaged ("
              + why
              + ") and could not be moved aside: "
              + e.getMessage(),
          e,
          true);
    }
    List<Row> salvaged = new ArrayList<>();
    List<String[]> results = new ArrayList<>();
    salvage(aside, salvaged, results);
    try {
      Opened fresh = openAt(file, null);
      long rid = fresh.nextRid();
      List<Row> renumbered = new ArrayList<>();
      for (Row r : salvaged) {
        renumbered.add(
            new Row(rid++, r.cls(), r.channel(), r.to(), r.seq(), r.createdMillis(), r.body()));
      }
      if (!renumbered.isEmpty()) {
        commit(renumbered, List.of(), fresh.nextSeq(), rid);
      }
      for (String[] c : results) {
        putCommandResult(c[0], c[1], Long.parseLong(c[2]));
      }
      long bytes = renumbered.stream().mapToLong(Row::size).sum();
      String note =
          "store was damaged ("
              + why
              + "); moved it to "
              + aside.getFileName()
              + ", recovered "
              + renumbered.size()
              + " messages and "
              + results.size()
              + " command results, new stream "
              + fresh.stream();
      Logger.error(note);
      return new Opened(
          fresh.stream(),
          fresh.nextSeq(),
          rid,
          renumbered.size(),
          bytes,
          note,
          fresh.lastKnownSeq());
    } catch (SQLException e) {
      throw new StoreException(
          "cannot create a fresh store at " + file + ": " + e.getMessage(), e, isCorrupt(e));
    }
  }

  /** Copies out every row that can still be read, stopping at the first unreadable page. */
  private static void salvage(Path damaged, List<Row> rows, List<String[]> results) {
    try (Connection c = SqliteFile.open("file:" + damaged + "?mode=ro")) {
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT rid, cls, channel, peer, seq, created, body FROM outbox ORDER BY rid")) {
        while (rs.next()) {
          rows.add(
              new Row(
                  rs.getLong(1),
                  rs.getInt(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getString(7)));
        }
      } catch (SQLException e) {
        Logger.warn(
            "salvaging messages from {} stopped after {}: {}",
            damaged.getFileName(),
            rows.size(),
            e.getMessage());
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT id, result, at FROM commands")) {
        while (rs.next()) {
          results.add(
              new String[] {rs.getString(1), rs.getString(2), Long.toString(rs.getLong(3))});
        }
      } catch (SQLException e) {
        Logger.warn(
            "salvaging command results from {} stopped after {}: {}",
            damaged.getFileName(),
            results.size(),
            e.getMessage());
      }
    } catch (SQLException e) {
      Logger.warn("nothing could be salvaged from {}: {}", damaged.getFileName(), e.getMessage());
    }
  }

  private static long parse(String s, long def) {
    try {
      return s == null ? def : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return def;
    }
  }

  private String meta(String k) throws SQLException {
    try (PreparedStatement ps = conn().prepareStatement("SELECT v FROM meta WHERE k = ?")) {
      ps.setString(1, k);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private void putMeta(String k, String v) throws SQLException {
    try (PreparedStatement ps =
        conn()
            .prepareStatement(
                "INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v")) {
      ps.setString(1, k);
      ps.setString(2, v);
      ps.executeUpdate();
    }
  }

  @Override
  public Count count() throws StoreException {
    try (Statement st = conn().createStatement();
        ResultSet rs =
            st.executeQuery("SELECT COUNT(*), COALESCE(SUM(LENGTH(body) + 64), 0) FROM outbox")) {
      rs.next();
      Count c = new Count(rs.getLong(1), rs.getLong(2));
      rs.close();
      conn().commit();
      return c;
    } catch (SQLException e) {
      throw new StoreException("counting the outbox failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  @Override
  public java.util.Set<Long> commit(
      List<Row> inserts, Collection<Long> deletes, long nextSeq, long nextRid)
      throws StoreException {
    java.util.Set<Long> done = new java.util.HashSet<>();
    try {
      // Deletes first: the pages they free take the inserts when the disk is full.
      if (!deletes.isEmpty() || inserts.isEmpty()) {
        // An empty commit is a probe (is the store writable again?), so it writes something.
        // The counters only need to be stored when rows that carry them may disappear: at open they
        // are max(stored, highest row + 1). Leaving them out of insert-only commits saves a page
        // write
        // per message.
        putMeta("nextSeq", Long.toString(nextSeq));
        putMeta("nextRid", Long.toString(nextRid));
        try (PreparedStatement ps = conn().prepareStatement("DELETE FROM outbox WHERE rid = ?")) {
          List<Long> order = new ArrayList<>(deletes);
          for (long rid : order) {
            ps.setLong(1, rid);
            ps.addBatch();
          }
          int[] counts = ps.executeBatch();
          for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
              done.add(order.get(i));
            }
          }
        }
      }
      if (!inserts.isEmpty()) {
        try (PreparedStatement ps =
            conn()
                .prepareStatement(
                    "INSERT INTO outbox(rid, cls, channel, peer, seq, created, body) VALUES(?, ?, ?, ?, ?, ?, ?)")) {
          for (Row r : inserts) {
            ps.setLong(1, r.rid());
            ps.setInt(2, r.cls());
            ps.setString(3, r.channel());
            ps.setString(4, r.to());
            ps.setLong(5, r.seq());
            ps.setLong(6, r.createdMillis());
            ps.setString(7, r.body());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      conn().commit();
      return done;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException("writing the outbox failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  @Override
  public void reserve(long throughSeq) throws StoreException {
    try {
      // Once per block of seqs: this one commit waits for the disk (synchronous=FULL), so a power
      // cut cannot take the reservation back while seqs from it are out.
      synchronous("FULL");
      try {
        putMeta("reservedSeq", Long.toString(throughSeq));
        conn().commit();
      } finally {
        synchronous("NORMAL");
      }
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "reserving seqs in the outbox failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  /** SQLite refuses to change the safety level inside a transaction. */
  private void synchronous(String level) throws SQLException {
    conn().setAutoCommit(true);
    try (Statement st = conn().createStatement()) {
      st.execute("PRAGMA synchronous=" + level);
    } finally {
      conn().setAutoCommit(false);
    }
  }

  @Override
  public void stopped(long lastSeq, long nextRid) throws StoreException {
    try {
      putMeta("reservedSeq", Long.toString(lastSeq));
      putMeta("nextSeq", Long.toString(lastSeq + 1));
      putMeta("nextRid", Long.toString(nextRid));
      conn().commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "recording the clean stop failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  @Override
  public List<Row> read(long afterRid, long maxRid, int limit) throws StoreException {
    return query(
        "SELECT rid, cls, channel, peer, seq, created, body FROM outbox WHERE rid > ? AND rid <= ? ORDER BY rid LIMIT ?",
        afterRid,
        maxRid,
        limit);
  }

  @Override
  public List<Row> oldest(int cls, long afterRid, int limit) throws StoreException {
    return query(
        "SELECT rid, cls, channel, peer, seq, created, body FROM outbox WHERE cls = ? AND rid > ? ORDER BY rid LIMIT ?",
        cls,
        afterRid,
        limit);
  }

  @Override
  public void quarantine(Row row, String why) throws StoreException {
    try {
      try (PreparedStatement ps =
          conn()
              .prepareStatement(
                  "INSERT INTO quarantine(rid, cls, channel, peer, seq, created, body, why, at)"
                      + " SELECT rid, cls, channel, peer, seq, created, body, ?, ? FROM outbox WHERE rid = ?")) {
        ps.setString(1, why);
        ps.setLong(2, System.currentTimeMillis());
        ps.setLong(3, row.rid());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = conn().prepareStatement("DELETE FROM outbox WHERE rid = ?")) {
        ps.setLong(1, row.rid());
        ps.executeUpdate();
      }
      conn().commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "moving message " + row.rid() + " aside failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  @Override
  public void reconnect() throws StoreException {
    closeQuietly();
    Path file = dir.resolve(FILE);
    try {
      conn = connect(file.toString());
    } catch (SQLException e) {
      // A read-only file system may still be read: what is stored can keep draining.
      try {
        conn = connect("file:" + file + "?mode=ro");
      } catch (SQLException again) {
        // No outbox tables: the file was lost or replaced (say, on a repaired file system).
        boolean notAnOutbox = String.valueOf(e.getMessage()).contains("no such table");
        throw new StoreException(
            "reopening " + file + " failed: " + e.getMessage(), e, isCorrupt(e) || notAnOutbox);
      }
    }
  }

  private static Connection connect(String address) throws SQLException {
    Connection c = SqliteFile.open(address);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA synchronous=NORMAL");
      st.execute("PRAGMA busy_timeout=5000");
      c.setAutoCommit(false);
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM meta")) {
        rs.next();
      }
      c.commit();
      return c;
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the open failure is what matters
      }
      throw e;
    }
  }

  private Connection conn() throws SQLException {
    if (conn == null) {
      throw new SQLException("the store is not open");
    }
    return conn;
  }

  private void rollbackQuietly() {
    if (conn != null) {
      try {
        conn.rollback();
      } catch (SQLException ignored) {
        // the original failure is what matters
      }
    }
  }

  private List<Row> query(String sql, long... args) throws StoreException {
    try (PreparedStatement ps = conn().prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setLong(i + 1, args[i]);
      }
      List<Row> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Row(
                  rs.getLong(1),
                  rs.getInt(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getString(7)));
        }
      }
      conn().commit();
      return out;
    } catch (SQLException e) {
      throw new StoreException("reading the outbox failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  @Override
  public Optional<String> commandResult(String id) throws StoreException {
    try (PreparedStatement ps =
        conn().prepareStatement("SELECT result FROM commands WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        Optional<String> r = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        conn().commit();
        return r;
      }
    } catch (SQLException e) {
      throw new StoreException(
          "reading command results failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  @Override
  public void putCommandResult(String id, String json, long atMillis) throws StoreException {
    try (PreparedStatement ps =
        conn()
            .prepareStatement(
                "INSERT INTO commands(id, result, at) VALUES(?, ?, ?) ON CONFLICT(id) DO UPDATE SET result = excluded.result, at = excluded.at")) {
      ps.setString(1, id);
      ps.setString(2, json);
      ps.setLong(3, atMillis);
      ps.executeUpdate();
      conn().commit();
    } catch (SQLException e) {
      throw new StoreException(
          "storing a command result failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  @Override
  public void pruneCommandResults(long beforeMillis) throws StoreException {
    try (PreparedStatement ps = conn().prepareStatement("DELETE FROM commands WHERE at < ?")) {
      ps.setLong(1, beforeMillis);
      ps.executeUpdate();
      conn().commit();
    } catch (SQLException e) {
      throw new StoreException(
          "pruning command results failed: " + e.getMessage(), e, isCorrupt(e));
    }
  }

  private void closeQuietly() {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // closing a broken connection
      }
      conn = null;
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
