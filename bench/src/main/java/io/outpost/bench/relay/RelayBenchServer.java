package io.outpost.bench.relay;

import io.outpost.relay.Relay;
import io.outpost.relay.RelaySettings;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The relay side of the relay benchmark: starts a relay with the benchmark keys and a raised
 * per-connection rate limit, then reports heap use each time the number of connected peers settles,
 * so that the heap per idle connection can be read off. Run it in its own JVM (see {@code
 * bench/run-relay.sh}); stop it with SIGTERM.
 *
 * <p>Usage: {@code RelayBenchServer PORT}
 */
public final class RelayBenchServer {
  private RelayBenchServer() {}

  public static void main(String[] args) throws Exception {
    // Relay log lines (warnings only) on the console; the benchmark's own lines are plain stdout.
    io.outpost.log.Logger.configure("warn", null, io.outpost.log.Layout.DETAILED);
    io.outpost.log.JulBridge.install();
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8788;
    RelaySettings settings =
        RelaySettings.builder()
            .listen(new InetSocketAddress("127.0.0.1", port))
            .keys(BenchKeys.keys())
            // The publisher of the fan-out run sends far more than 100 frames/s; the limit is not
            // what is measured.
            .rateLimit(10_000_000, 10_000_000)
            .build();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Relay relay = Relay.start(settings);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  relay.shutdown();
                  stop.countDown();
                }));
    System.out.printf(
        "READY port=%d heapMax=%dMB%n", relay.port(), Runtime.getRuntime().maxMemory() >> 20);
    int lastReported = -1;
    int previous = -1;
    while (!stop.await(
        Duration.ofSeconds(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      int now = relay.connectedPeers().size();
      if (now == previous && now != lastReported) {
        // Settled: measure live heap after a full collection.
        System.gc();
        System.gc();
        long used = memory.getHeapMemoryUsage().getUsed();
        System.out.printf("SETTLED connections=%d heapUsed=%.1fMB%n", now, used / 1048576.0);
        lastReported = now;
      }
      previous = now;
    }
  }
}
