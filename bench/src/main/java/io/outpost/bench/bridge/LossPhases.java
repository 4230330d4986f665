package io.outpost.bench.bridge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * How many sequence-numbered messages each bridge loses, under the same load in the same run: (a)
 * across a clean restart of the site broker A in the middle of a stream, (b) across a SIGKILL of
 * both bridging processes (the agent; Mosquitto B) in the middle of a stream, each restarted 2 s
 * later, and (c) the same while the far side is away (B's consumer and the relay stopped), so each
 * bridge holds the whole stream when it is killed. Before (b), B is restarted cleanly once so that
 * its saved state holds the consumer's session, as it would on a site that has run for a while:
 * what B loses is what it held in memory. A seq counts as lost when it never arrived; duplicates
 * (QoS 1 redelivery) are not counted.
 */
final class LossPhases {
  private final Sites sites;
  private final long[] viaOutpost;
  private final long[] viaMosquitto;
  private final FarSide farSide;

  /** Where each bridge delivers: B's consumer, and the network (the relay with its recorder). */
  interface FarSide {
    /** B's consumer disconnects (keeping its session) and the relay stops. */
    void away() throws Exception;

    /** The relay is back with the recorder subscribed, and B's consumer reconnects. */
    void back() throws Exception;
  }

  LossPhases(Sites sites, long[] viaOutpost, long[] viaMosquitto, FarSide farSide) {
    this.sites = sites;
    this.viaOutpost = viaOutpost;
    this.viaMosquitto = viaMosquitto;
    this.farSide = farSide;
  }

  void run(int first, int n) throws Exception {
    // (a) The site broker restarts; the publisher (a site's device) retries until A has each one.
    Steady pub = new Steady(sites.portA, first, n);
    pub.start();
    awaitSent(pub, n / 3);
    sites.restartA();
    pub.join();
    BridgeBench.waitAll(viaOutpost, viaMosquitto, first, first + n, Duration.ofSeconds(90));
    report("(a) restart of broker A", first, n);

    // (b) The bridging processes are killed; the publisher runs at full speed, as in the first
    // part.
    sites.restartB();
    Thread.sleep(3000); // the consumer and B's bridge are back
    int from = first + n;
    Thread killer =
        new Thread(
            () -> {
              try {
                Thread.sleep(1500);
                sites.killBridges();
                Thread.sleep(2000);
                sites.startB();
                sites.startAgent();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    killer.start();
    BridgeBench.publish(sites.portA, n, from);
    killer.join();
    BridgeBench.waitForBridge(sites.dir.resolve("status.json"));
    BridgeBench.waitAll(viaOutpost, viaMosquitto, from, from + n, Duration.ofSeconds(120));
    report("(b) SIGKILL of the bridging process", from, n);

    // (c) The far side is away, the stream is published at full speed and each bridge takes it
    // from A; then both bridging processes are killed and everything comes back.
    from += n;
    farSide.away();
    BridgeBench.publish(sites.portA, n, from);
    Thread.sleep(5000); // each bridge has taken what A had for it
    sites.killBridges();
    farSide.back();
    sites.startB();
    sites.startAgent();
    BridgeBench.waitForBridge(sites.dir.resolve("status.json"));
    // Mosquitto's lost messages never come: wait for Outpost's, then a grace for B's consumer.
    BridgeBench.waitAll(viaOutpost, viaOutpost, from, from + n, Duration.ofSeconds(120));
    BridgeBench.waitAll(viaMosquitto, viaMosquitto, from, from + n, Duration.ofSeconds(15));
    report("(c) SIGKILL, far side away", from, n);
  }

  private void report(String what, int from, int n) {
    System.out.printf(
        "%-38s Mosquitto bridge lost %d of %d, Outpost bridge lost %d of %d%n",
        what,
        BridgeBench.missing(viaMosquitto, from, from + n),
        n,
        BridgeBench.missing(viaOutpost, from, from + n),
        n);
  }

  private static void awaitSent(Steady pub, int count) throws InterruptedException {
    while (pub.sent.get() < count && pub.isAlive()) {
      Thread.sleep(20);
    }
  }

  /**
   * Publishes {"seq", "t"} QoS 1 at about 1,000/s with a persistent session, retrying each message
   * until the broker acknowledged it (a fresh client after a failure).
   */
  static final class Steady extends Thread {
    final AtomicInteger sent = new AtomicInteger();
    private final int port;
    private final int first;
    private final int n;

    Steady(int port, int first, int n) {
      this.port = port;
      this.first = first;
      this.n = n;
      setDaemon(true);
    }

    @Override
    public void run() {
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setCleanStart(false);
      o.setSessionExpiryInterval(3600L);
      MqttClient c = null;
      for (int i = 0; i < n; ) {
        try {
          if (c == null) {
            c = new MqttClient("tcp://127.0.0.1:" + port, "bench-steady", new MemoryPersistence());
            c.connect(o);
          }
          String body = "{\"seq\": " + (first + i) + ", \"t\": " + System.nanoTime() + "}";
          c.publish(
              "bench/m", new MqttMessage(body.getBytes(StandardCharsets.UTF_8), 1, false, null));
          sent.incrementAndGet();
          i++;
          if (i % 10 == 0) {
            Thread.sleep(10);
          }
        } catch (Exception e) {
          if (c != null) {
            try {
              c.disconnectForcibly(0, 0, false);
              c.close(true);
            } catch (Exception ignored) {
              // already gone
            }
            c = null;
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
      try {
        c.disconnect();
        c.close();
      } catch (Exception ignored) {
        // done either way
      }
    }
  }
}
