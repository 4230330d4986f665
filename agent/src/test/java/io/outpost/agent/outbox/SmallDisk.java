package io.outpost.agent.outbox;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, small file system the test mounts itself: a tmpfs (full disk) or an ext4 image on a loop
 * device (turned read-only by an injected file system error). Needs root (CAP_SYS_ADMIN); where
 * mounting is impossible the test is skipped with the reason. {@link #close()} unmounts whatever is
 * still mounted, also after a failed test.
 */
final class SmallDisk implements AutoCloseable {
  private final Path mountPoint;
  private final Path image;
  private final List<Path> mounted = new ArrayList<>();

  private SmallDisk(Path mountPoint, Path image) {
    this.mountPoint = mountPoint;
    this.image = image;
  }

  /** A tmpfs of {@code size} (e.g. {@code "1m"}) mounted on {@code mountPoint}. */
  static SmallDisk tmpfs(Path mountPoint, String size) throws Exception {
    SmallDisk d = new SmallDisk(mountPoint, null);
    Files.createDirectories(mountPoint);
    String err =
        d.run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
    assumeTrue(err == null, "cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN): " + err);
    d.mounted.add(mountPoint);
    return d;
  }

  /**
   * An ext4 image of {@code megabytes} in {@code imageDir}, loop-mounted on {@code mountPoint} with
   * {@code errors=remount-ro}.
   */
  static SmallDisk ext4(Path mountPoint, Path imageDir, int megabytes) throws Exception {
    Path image = imageDir.resolve("disk.img");
    SmallDisk d = new SmallDisk(mountPoint, image);
    Files.createDirectories(mountPoint);
    String err = d.run("truncate", "-s", megabytes + "M", image.toString());
    if (err == null) {
      err = d.run("mkfs.ext4", "-q", "-F", image.toString());
    }
    assumeTrue(err == null, "cannot create an ext4 image here (mkfs.ext4 missing?): " + err);
    err = d.mount();
    assumeTrue(
        err == null, "cannot loop-mount an ext4 image here (needs root and /dev/loop*): " + err);
    return d;
  }

  private String mount() throws Exception {
    String err =
        run("mount", "-o", "loop,errors=remount-ro", image.toString(), mountPoint.toString());
    if (err == null) {
      mounted.add(mountPoint);
    }
    return err;
  }

  /** Changes the size of the tmpfs (works while files are open). */
  void resize(String size) throws Exception {
    check(run("mount", "-o", "remount,size=" + size, mountPoint.toString()));
  }

  /**
   * Makes the ext4 file system read-only the way a failing card does: the kernel sees an error and
   * remounts it read-only under the open files.
   */
  void failReadOnly() throws Exception {
    String dev = null;
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f[1].equals(mountPoint.toString())) {
        dev = f[0];
      }
    }
    if (dev == null) {
      throw new IllegalStateException(mountPoint + " is not mounted");
    }
    Path trigger =
        Path.of("/sys/fs/ext4", Path.of(dev).getFileName().toString(), "trigger_fs_error");
    assumeTrue(Files.exists(trigger), "this kernel cannot inject ext4 errors (" + trigger + ")");
    Files.writeString(trigger, "test: disk turned read-only\n");
  }

  /**
   * What an operator does after a file system error, without stopping the agent: a checked copy of
   * the disk is mounted over the broken one, so the same path is writable again while the agent
   * still holds files open on the old mount.
   */
  void repairAndRemount() throws Exception {
    Path copy = image.resolveSibling("repaired.img");
    check(run("cp", "--sparse=always", image.toString(), copy.toString()));
    String fsck = run("e2fsck", "-fy", copy.toString());
    if (fsck != null && !fsck.startsWith("exit 1") && !fsck.startsWith("exit 2")) {
      throw new IllegalStateException("e2fsck: " + fsck);
    }
    Path staging = image.resolveSibling("staging");
    Files.createDirectories(staging);
    check(run("mount", "-o", "loop", copy.toString(), staging.toString()));
    mounted.add(staging);
    check(run("mount", "--move", staging.toString(), mountPoint.toString()));
    mounted.remove(staging);
    mounted.add(mountPoint); // two mounts stacked on the same path now
  }

  private static void check(String err) {
    if (err != null) {
      throw new IllegalStateException(err);
    }
  }

  /** Runs a command; null when it succeeded, else its exit status and output. */
  private String run(String... cmd) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "timed out: " + String.join(" ", cmd);
    }
    return p.exitValue() == 0
        ? null
        : "exit " + p.exitValue() + ": " + new String(out, StandardCharsets.UTF_8).trim();
  }

  @Override
  public void close() throws Exception {
    // Lazily where a file is still open (the loop device goes with the last one).
    for (Path m : List.copyOf(mounted)) {
      if (run("umount", m.toString()) != null) {
        run("umount", "-l", m.toString());
      }
    }
    mounted.clear();
  }
}
