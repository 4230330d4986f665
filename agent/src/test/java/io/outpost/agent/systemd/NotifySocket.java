package io.outpost.agent.systemd;

import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What systemd does on its side of {@code $NOTIFY_SOCKET}: a real AF_UNIX datagram socket, bound to
 * a path or (with a leading {@code @}) to an abstract-namespace name, collecting what arrives.
 */
final class NotifySocket implements AutoCloseable {
  final String address;
  private final int fd;

  NotifySocket(String address) {
    this.address = address;
    UnixDatagram.LibC c = UnixDatagram.libc();
    fd = c.socket(UnixDatagram.AF_UNIX, UnixDatagram.SOCK_DGRAM | UnixDatagram.SOCK_CLOEXEC, 0);
    if (fd < 0
        || c.bind(fd, UnixDatagram.address(address), UnixDatagram.addressLength(address)) != 0) {
      throw new IllegalStateException(
          "cannot bind " + address + ": errno " + com.sun.jna.Native.getLastError());
    }
  }

  /** Every datagram received until {@code until} matches one of them or the timeout passes. */
  List<String> receiveUntil(java.util.function.Predicate<String> until, Duration timeout)
      throws InterruptedException {
    List<String> got = new ArrayList<>();
    long end = System.nanoTime() + timeout.toNanos();
    byte[] buf = new byte[4096];
    while (System.nanoTime() < end) {
      long n =
          UnixDatagram.libc()
              .recv(fd, buf, new NativeLong(buf.length), UnixDatagram.MSG_DONTWAIT)
              .longValue();
      if (n > 0) {
        String m = new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        got.add(m);
        if (until.test(m)) {
          return got;
        }
      } else {
        Thread.sleep(20);
      }
    }
    return got;
  }

  @Override
  public void close() {
    UnixDatagram.libc().close(fd);
  }
}
