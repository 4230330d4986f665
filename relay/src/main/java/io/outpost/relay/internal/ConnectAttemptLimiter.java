package io.outpost.relay.internal;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sliding-window count of WebSocket upgrade attempts per source IP (protocol.md section 11: 60 per
 * 60 s by default, HTTP 429 beyond). Thread-safe.
 */
public final class ConnectAttemptLimiter {
  private final int limit;
  private final long windowNanos;
  private final boolean limitLoopback;
  private final Map<String, ArrayDeque<Long>> attempts = new ConcurrentHashMap<>();

  /**
   * @param limit attempts per window, 0 = unlimited
   */
  public ConnectAttemptLimiter(int limit, long windowNanos, boolean limitLoopback) {
    this.limit = limit;
    this.windowNanos = windowNanos;
    this.limitLoopback = limitLoopback;
  }

  /** Records an attempt from {@code ip}; false when it exceeds the limit. */
  public boolean tryAcquire(String ip, long nowNanos) {
    if (limit == 0 || ip == null || (!limitLoopback && isLoopback(ip))) {
      return true;
    }
    ArrayDeque<Long> times = attempts.computeIfAbsent(ip, k -> new ArrayDeque<>());
    synchronized (times) {
      while (!times.isEmpty() && nowNanos - times.peekFirst() >= windowNanos) {
        times.pollFirst();
      }
      if (times.size() >= limit) {
        return false;
      }
      times.addLast(nowNanos);
      return true;
    }
  }

  /** Forgets IPs whose attempts all left the window (called periodically to bound memory). */
  public void purge(long nowNanos) {
    for (Iterator<ArrayDeque<Long>> it = attempts.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Long> times = it.next();
      synchronized (times) {
        if (times.isEmpty() || nowNanos - times.peekLast() >= windowNanos) {
          it.remove();
        }
      }
    }
  }

  private static boolean isLoopback(String ip) {
    if (ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    try {
      // Literal addresses only: no DNS lookup happens for an IP string.
      return ip.indexOf(':') >= 0 && InetAddress.getByName(ip).isLoopbackAddress();
    } catch (Exception e) {
      return false;
    }
  }
}
