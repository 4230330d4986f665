package io.outpost.agent.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The few libc calls an AF_UNIX datagram needs, through JNA (already on the classpath for Pi4J):
 * Java 17's {@code UnixDomainSocketAddress} supports stream sockets only, and sd_notify is a
 * datagram protocol.
 */
final class UnixDatagram {
  static final int AF_UNIX = 1;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_CLOEXEC = 02000000;
  static final int MSG_NOSIGNAL = 0x4000;
  static final int MSG_DONTWAIT = 0x40;
  private static final int SUN_PATH_MAX = 108;

  interface LibC extends Library {
    int socket(int domain, int type, int protocol);

    int sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrLen);

    int bind(int fd, byte[] addr, int addrLen);

    NativeLong recv(int fd, byte[] buf, NativeLong len, int flags);

    int close(int fd);
  }

  private static volatile LibC libc;

  private UnixDatagram() {}

  static LibC libc() {
    LibC l = libc;
    if (l == null) {
      l = Native.load("c", LibC.class);
      libc = l;
    }
    return l;
  }

  /**
   * A {@code struct sockaddr_un} for {@code path}; a leading {@code @} names an address in the
   * abstract namespace (a NUL byte, then the name, not NUL-terminated), as systemd writes it.
   *
   * @return the address; its length for the call is {@link #addressLength(String)}
   */
  static byte[] address(String path) {
    byte[] name = pathBytes(path);
    if (name.length == 0 || name.length > SUN_PATH_MAX - 1) {
      throw new IllegalArgumentException("not a usable AF_UNIX address: \"" + path + "\"");
    }
    byte[] addr = new byte[2 + SUN_PATH_MAX];
    // sa_family_t is a native-endian unsigned short.
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      addr[0] = (byte) AF_UNIX;
    } else {
      addr[1] = (byte) AF_UNIX;
    }
    System.arraycopy(name, 0, addr, 2, name.length);
    return addr;
  }

  /** offsetof(sun_path) + the name's length (+1 for a path's terminating NUL). */
  static int addressLength(String path) {
    return 2 + pathBytes(path).length + (path.startsWith("@") ? 0 : 1);
  }

  private static byte[] pathBytes(String path) {
    byte[] b = path.getBytes(StandardCharsets.UTF_8);
    if (path.startsWith("@")) {
      b[0] = 0;
    }
    return b;
  }
}
