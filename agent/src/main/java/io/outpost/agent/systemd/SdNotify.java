package io.outpost.agent.systemd;

import com.sun.jna.NativeLong;
import io.outpost.log.Logger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The sd_notify protocol: newline-separated {@code KEY=VALUE} lines in one datagram to the socket
 * named by {@code $NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace). Without
 * that variable (not under a {@code Type=notify} unit) every call is a no-op.
 */
public final class SdNotify implements AutoCloseable {
  private final String socketPath;
  private final Duration watchdog;
  private int fd = -1;
  private boolean failed;

  SdNotify(String socketPath, Duration watchdog) {
    this.socketPath = socketPath;
    this.watchdog = watchdog;
  }

  /**
   * From {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} (the watchdog
   * applies only when it names this process, or no process).
   */
  public static SdNotify fromEnvironment(Map<String, String> env) {
    String socket = env.get("NOTIFY_SOCKET");
    Duration watchdog = null;
    String usec = env.get("WATCHDOG_USEC");
    String pid = env.get("WATCHDOG_PID");
    if (usec != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
      try {
        long u = Long.parseLong(usec.trim());
        if (u > 0) {
          watchdog = Duration.ofNanos(u * 1000);
        }
      } catch (NumberFormatException e) {
        Logger.warn("ignoring WATCHDOG_USEC=\"{}\": not a number", usec);
      }
    }
    return new SdNotify(socket == null || socket.isEmpty() ? null : socket, watchdog);
  }

  /** Whether a service manager listens. */
  public boolean enabled() {
    return socketPath != null;
  }

  /** The watchdog timeout systemd enforces, or null when there is none. */
  public Duration watchdog() {
    return socketPath == null ? null : watchdog;
  }

  /**
   * Sends one notification, e.g. {@code "READY=1\nSTATUS=connected"}. Never throws: a failing
   * socket is logged once and the agent runs on (systemd then judges it by its own timeouts).
   *
   * @return whether the datagram was sent
   */
  public synchronized boolean send(String state) {
    if (socketPath == null || failed) {
      return false;
    }
    try {
      UnixDatagram.LibC c = UnixDatagram.libc();
      if (fd < 0) {
        fd = c.socket(UnixDatagram.AF_UNIX, UnixDatagram.SOCK_DGRAM | UnixDatagram.SOCK_CLOEXEC, 0);
        if (fd < 0) {
          throw new IllegalStateException("socket() failed");
        }
      }
      byte[] msg = state.getBytes(StandardCharsets.UTF_8);
      int sent =
          c.sendto(
              fd,
              msg,
              new NativeLong(msg.length),
              UnixDatagram.MSG_NOSIGNAL,
              UnixDatagram.address(socketPath),
              UnixDatagram.addressLength(socketPath));
      if (sent != msg.length) {
        Logger.warn(
            "sd_notify to {} failed (errno {}); the service manager may restart the agent",
            socketPath,
            com.sun.jna.Native.getLastError());
        return false;
      }
      return true;
    } catch (RuntimeException | LinkageError e) {
      failed = true;
      Logger.warn(
          "sd_notify is unavailable ({}): no readiness or watchdog for systemd", e.toString());
      return false;
    }
  }

  @Override
  public synchronized void close() {
    if (fd >= 0) {
      UnixDatagram.libc().close(fd);
      fd = -1;
    }
  }
}
