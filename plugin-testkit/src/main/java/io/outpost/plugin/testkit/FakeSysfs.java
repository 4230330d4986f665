package io.outpost.plugin.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A fake root for sysfs and procfs files: {@code path("/sys/class/thermal/thermal_zone0/temp")}
 * maps to {@code <root>/sys/class/thermal/thermal_zone0/temp}. Built in a temporary directory with
 * {@link #create()} (deleted again by {@link #close()}), or laid over an existing directory tree
 * with {@link #at(Path)} (left alone by {@link #close()}); the agent's {@code "simulate": {"sysfs":
 * DIR}} uses the latter.
 *
 * <pre>
 * try (FakeSysfs sys = FakeSysfs.create()) {
 *   sys.file("/sys/class/thermal/thermal_zone0/temp", "48312\n");
 *   ...
 * }
 * </pre>
 */
public final class FakeSysfs implements AutoCloseable {
  private final Path root;
  private final boolean owned;

  private FakeSysfs(Path root, boolean owned) {
    this.root = root;
    this.owned = owned;
  }

  /** An empty tree in a new temporary directory. */
  public static FakeSysfs create() throws IOException {
    return new FakeSysfs(Files.createTempDirectory("fake-sysfs"), true);
  }

  /** A view of an existing tree; {@link #close()} leaves it in place. */
  public static FakeSysfs at(Path root) {
    return new FakeSysfs(root.toAbsolutePath().normalize(), false);
  }

  public Path root() {
    return root;
  }

  /**
   * Maps an absolute device path ({@code "/sys/..."}, {@code "/proc/..."}) under the root. A path
   * that tries to climb out of the root with {@code ..} is rejected.
   */
  public Path path(String absolutePath) {
    if (!absolutePath.startsWith("/")) {
      throw new IllegalArgumentException("not an absolute path: \"" + absolutePath + "\"");
    }
    Path p = root.resolve(absolutePath.substring(1)).normalize();
    if (!p.startsWith(root)) {
      throw new IllegalArgumentException("path leaves the fake root: \"" + absolutePath + "\"");
    }
    return p;
  }

  /** Writes (or replaces) a file, creating its parent directories. Returns this for chaining. */
  public FakeSysfs file(String absolutePath, String content) {
    Path p = path(absolutePath);
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("writing fake " + absolutePath + " failed", e);
    }
    return this;
  }

  /** Creates a directory (and its parents). */
  public FakeSysfs directory(String absolutePath) {
    try {
      Files.createDirectories(path(absolutePath));
    } catch (IOException e) {
      throw new UncheckedIOException("creating fake " + absolutePath + " failed", e);
    }
    return this;
  }

  /** Deletes a file or an empty directory, if present. */
  public FakeSysfs delete(String absolutePath) {
    try {
      Files.deleteIfExists(path(absolutePath));
    } catch (IOException e) {
      throw new UncheckedIOException("deleting fake " + absolutePath + " failed", e);
    }
    return this;
  }

  /** Deletes the temporary tree made by {@link #create()}; does nothing for {@link #at(Path)}. */
  @Override
  public void close() throws IOException {
    if (!owned || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public String toString() {
    return "FakeSysfs[" + root + "]";
  }
}
