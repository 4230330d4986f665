package io.outpost.agent.outbox;

import io.outpost.plugin.DurableQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * A service's durable queue ({@link DurableQueue}): its own small SQLite file {@code
 * queue-<name>.db} in the state directory, so it never waits for (or holds up) the outbox's writer
 * thread and a damaged queue file cannot affect the outbox. Each {@link #add} is one transaction
 * (WAL, {@code synchronous=NORMAL} like the outbox: it survives a killed process; a power cut may
 * lose the last commits). Dropped-but-unannounced counts are kept in the same file, in the
 * transaction that drops, so a notice is not lost to a crash either.
 *
 * <pre>{@code
 * LocalQueue q = LocalQueue.open(stateDir, "bridge", 4_000_000, true);
 * long id = q.add(bytes).id();
 * q.peek(0, 10); q.remove(id);
 * long n = q.unannounced(); ...; q.announced(n);
 * }</pre>
 */
public final class LocalQueue implements DurableQueue, AutoCloseable {
  private final Path file;
  private final String name;
  private Connection conn;
  private volatile long maxBytes;
  private long size;
  private long bytes;
  private long unannounced;
  private volatile Runnable onDrop = () -> {};

  private LocalQueue(Path file, String name, long maxBytes) {
    this.file = file;
    this.name = name;
    this.maxBytes = maxBytes;
  }

  /**
   * Opens (or creates) the queue {@code name} in {@code stateDir}; in memory when not {@code
   * durable} (the agent's {@code buffer.durability} is {@code memory}). A damaged file is moved
   * aside ({@code .corrupt-<millis>}) and a fresh queue begins.
   */
  public static LocalQueue open(Path stateDir, String name, long maxBytes, boolean durable)
      throws IOException {
    if (!name.matches("[a-z][A-Za-z0-9]{0,31}")) {
      throw new IllegalArgumentException(
          "queue name \"" + name + "\": expected letters and digits starting with a-z");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("queue " + name + ": maxBytes must be positive");
    }
    Path file = durable ? stateDir.resolve("queue-" + name + ".db") : null;
    LocalQueue q = new LocalQueue(file, name, maxBytes);
    try {
      q.connect();
    } catch (SQLException e) {
      if (file == null || !SqliteStore.isCorrupt(e)) {
        throw new IOException("opening queue " + name + " (" + file + "): " + e.getMessage(), e);
      }
      Path aside =
          file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
      Logger.error("queue {} is damaged ({}); moved to {}", file, e.getMessage(), aside);
      q.close();
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-wal"));
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-shm"));
      try {
        q.connect();
      } catch (SQLException again) {
        throw new IOException("opening queue " + name + " (" + file + "): " + again, again);
      }
    }
    return q;
  }

  private void connect() throws SQLException {
    if (file != null) {
      try {
        Files.createDirectories(file.getParent());
      } catch (IOException e) {
        throw new SQLException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
      }
    }
    conn = SqliteFile.open(file == null ? ":memory:" : file.toString());
    try (Statement st = conn.createStatement()) {
      SqliteFile.prepare(st);
      // AUTOINCREMENT: ids never repeat, even after the queue emptied, so order is by id.
      st.execute(
          "CREATE TABLE IF NOT EXISTS entries(id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL)");
      st.execute("CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
      try (ResultSet rs =
          st.executeQuery("SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM entries")) {
        rs.next();
        size = rs.getLong(1);
        bytes = rs.getLong(2);
      }
      try (ResultSet rs = st.executeQuery("SELECT v FROM meta WHERE k = 'unannounced'")) {
        unannounced = rs.next() ? rs.getLong(1) : 0;
      }
    }
    conn.setAutoCommit(false);
  }

  /** This queue's name. */
  public String name() {
    return name;
  }

  /** A restarted service may ask for another bound; it applies from the next {@link #add}. */
  public void maxBytes(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("queue " + name + ": maxBytes must be positive");
    }
    this.maxBytes = maxBytes;
  }

  /** Runs after an {@link #add} that dropped entries (outside this queue's lock). */
  void onDrop(Runnable listener) {
    this.onDrop = listener;
  }

  @Override
  public Added add(byte[] data) throws IOException {
    Added a = store(data);
    if (!a.dropped().isEmpty()) {
      onDrop.run();
    }
    return a;
  }

  private synchronized Added store(byte[] data) throws IOException {
    long bound = maxBytes;
    if (data.length > bound) {
      throw new IllegalArgumentException(
          "an entry of " + data.length + " bytes does not fit queue " + name + " (" + bound + ")");
    }
    List<Entry> dropped = new ArrayList<>();
    try {
      long freed = 0;
      if (bytes + data.length > bound) {
        try (PreparedStatement ps =
            conn().prepareStatement("SELECT id, data FROM entries ORDER BY id")) {
          try (ResultSet rs = ps.executeQuery()) {
            while (bytes - freed + data.length > bound && rs.next()) {
              Entry e = new Entry(rs.getLong(1), rs.getBytes(2));
              dropped.add(e);
              freed += e.data().length;
            }
          }
        }
        try (PreparedStatement del = conn.prepareStatement("DELETE FROM entries WHERE id = ?")) {
          for (Entry e : dropped) {
            del.setLong(1, e.id());
            del.addBatch();
          }
          del.executeBatch();
        }
        putUnannounced(unannounced + dropped.size());
      }
      long id;
      try (PreparedStatement ps =
          conn.prepareStatement(
              "INSERT INTO entries(data) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
        ps.setBytes(1, data);
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          id = keys.getLong(1);
        }
      }
      conn.commit();
      size += 1 - dropped.size();
      bytes += data.length - freed;
      unannounced += dropped.size();
      return new Added(id, List.copyOf(dropped));
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IOException("queue " + name + ": storing failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized List<Entry> peek(long afterId, int limit) throws IOException {
    try (PreparedStatement ps =
        conn().prepareStatement("SELECT id, data FROM entries WHERE id > ? ORDER BY id LIMIT ?")) {
      ps.setLong(1, afterId);
      ps.setInt(2, limit);
      List<Entry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Entry(rs.getLong(1), rs.getBytes(2)));
        }
      }
      conn.commit();
      return out;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IOException("queue " + name + ": reading failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void remove(long id) throws IOException {
    try (PreparedStatement q =
            conn().prepareStatement("SELECT LENGTH(data) FROM entries WHERE id = ?");
        PreparedStatement del = conn.prepareStatement("DELETE FROM entries WHERE id = ?")) {
      q.setLong(1, id);
      long len = -1;
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) {
          len = rs.getLong(1);
        }
      }
      if (len >= 0) {
        del.setLong(1, id);
        del.executeUpdate();
      }
      conn.commit();
      if (len >= 0) {
        size--;
        bytes -= len;
      }
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IOException("queue " + name + ": removing failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized long size() {
    return size;
  }

  @Override
  public synchronized long bytes() {
    return bytes;
  }

  /** Entries dropped for lack of room and not yet announced (kept across restarts). */
  public synchronized long unannounced() {
    return unannounced;
  }

  /** {@code count} of the unannounced drops are now announced (committed to the outbox). */
  public synchronized void announced(long count) throws IOException {
    try {
      putUnannounced(Math.max(0, unannounced - count));
      conn.commit();
      unannounced = Math.max(0, unannounced - count);
    } catch (SQLException e) {
      rollbackQuietly();
      throw new IOException("queue " + name + ": " + e.getMessage(), e);
    }
  }

  private void putUnannounced(long n) throws SQLException {
    try (PreparedStatement ps =
        conn().prepareStatement("INSERT OR REPLACE INTO meta(k, v) VALUES ('unannounced', ?)")) {
      ps.setLong(1, n);
      ps.executeUpdate();
    }
  }

  private Connection conn() throws SQLException {
    if (conn == null) {
      throw new SQLException("queue " + name + " is closed");
    }
    return conn;
  }

  private void rollbackQuietly() {
    try {
      if (conn != null) {
        conn.rollback();
      }
    } catch (SQLException ignored) {
      // the original failure is what the caller hears about
    }
  }

  @Override
  public synchronized void close() {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException e) {
        Logger.warn("closing queue {}: {}", name, e.getMessage());
      }
      conn = null;
    }
  }
}
