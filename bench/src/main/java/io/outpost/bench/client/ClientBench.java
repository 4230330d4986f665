package io.outpost.bench.client;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.outpost.log.JulBridge;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.State;
import io.outpost.relay.RelayKeys;
import io.outpost.testsupport.RelayProcess;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publish-and-ack throughput and latency of {@link RealtimeClient} against a relay in a separate
 * JVM, next to a bare Tyrus client sending the same frames in the same run, plus the client's idle
 * heap and threads. Usage: {@code ClientBench [messages] [window] [rounds]} (defaults 20000, 64,
 * 5). Each round runs the bare client and the client back to back; the reported ratio is the median
 * of the per-round ratios, which cancels most of the noise of a shared machine.
 */
public final class ClientBench {

  private static final String CHANNEL = "bench/telemetry";

  private ClientBench() {}

  /**
   * One measured run: messages per second, ack latency percentiles in microseconds, and this JVM's
   * CPU time per message in microseconds (the relay runs elsewhere, so that is the sender's cost
   * alone and barely depends on what else the machine is doing).
   */
  record Result(double perSecond, long p50Micros, long p99Micros, double cpuMicrosPerMessage) {}

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  public static void main(String[] args) throws Exception {
    JulBridge.install();
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;

    Path keys = Files.createTempFile("bench-relay-keys", ".json");
    Files.writeString(keys, RelayKeys.development().toJson());
    List<String> relayArgs = new ArrayList<>(List.of(keys.toString(), "idle-0", "bare", "client"));
    for (int i = 1; i < 10; i++) {
      relayArgs.add("idle-" + i);
    }
    try (RelayProcess relay =
        RelayProcess.start(
            BenchRelay.class.getName(),
            List.of("-Xmx256m", "-Doutpost.log.level=warn"),
            relayArgs,
            true)) {
      Map<String, String> tokens = new HashMap<>();
      for (String peer : relayArgs.subList(1, relayArgs.size())) {
        tokens.put(peer, relay.token(peer));
      }
      URI origin = relay.origin();
      idle(origin, tokens);
      throughput(origin, tokens, messages, window, rounds);
    } finally {
      Files.deleteIfExists(keys);
    }
  }

  private static String frame(int seq, String requestId) {
    return "{\"type\":\"publish\",\"channel\":\""
        + CHANNEL
        + "\",\"data\":"
        + data(seq)
        + ",\"requestId\":\""
        + requestId
        + "\"}";
  }

  private static JsonObject data(int seq) {
    JsonObject d = new JsonObject();
    d.addProperty("seq", seq);
    d.addProperty("t", 21.5);
    d.addProperty("unit", "Cel");
    d.add("pad", new JsonPrimitive("x".repeat(48)));
    return d;
  }

  private static void idle(URI origin, Map<String, String> tokens) throws Exception {
    long heapBefore = usedHeapAfterGc();
    int threadsBefore = Thread.activeCount();
    List<RealtimeClient> clients = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      RealtimeClient c =
          RealtimeClient.create(
              RealtimeConfig.builder().url(origin).token(tokens.get("idle-" + i)).build());
      c.connect().get(10, TimeUnit.SECONDS);
      c.subscribe("devices/idle-" + i + "/commands").get(10, TimeUnit.SECONDS);
      c.subscribe("fleets/bench/commands").get(10, TimeUnit.SECONDS);
      clients.add(c);
      if (i == 0) {
        Thread.sleep(3000); // let the short-lived connect thread end before counting
        System.out.printf(
            Locale.ROOT,
            "idle, 1 client:   +%d threads (%s)%n",
            Thread.activeCount() - threadsBefore,
            threadNames());
      }
    }
    Thread.sleep(3000);
    long heapAfter = usedHeapAfterGc();
    int threadsAfter = Thread.activeCount();
    System.out.printf(
        Locale.ROOT,
        "idle, 10 clients: +%d threads, +%.1f KiB heap in total, %.1f KiB per client%n",
        threadsAfter - threadsBefore,
        (heapAfter - heapBefore) / 1024.0,
        (heapAfter - heapBefore) / 10240.0);
    for (RealtimeClient c : clients) {
      c.close();
    }
  }

  private static String threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.contains("realtime") || n.contains("tyrus"))
        .sorted()
        .toList()
        .toString();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void throughput(
      URI origin, Map<String, String> tokens, int messages, int window, int rounds)
      throws Exception {
    RealtimeClient client =
        RealtimeClient.create(
            RealtimeConfig.builder()
                .url(origin)
                .token(tokens.get("client"))
                .sendRate(0, 0) // pacing off: measure the client's own overhead
                .maxQueuedRequests(Math.max(1000, window * 2))
                .build());
    BareTyrusPublisher bare = new BareTyrusPublisher();
    try (client;
        bare) {
      client.connect().get(10, TimeUnit.SECONDS);
      bare.connect(URI.create(origin + "/v1?token=" + tokens.get("bare")));
      // Warm-up both paths (JIT), then alternate so neither always runs on a colder or hotter JVM.
      runBare(bare, messages / 4, window);
      runClient(client, messages / 4, window);
      List<Result> bareRuns = new ArrayList<>();
      List<Result> clientRuns = new ArrayList<>();
      List<Result> bareSeq = new ArrayList<>();
      List<Result> clientSeq = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        bareRuns.add(runBare(bare, messages, window));
        clientRuns.add(runClient(client, messages, window));
        bareSeq.add(runBare(bare, 2000, 1));
        clientSeq.add(runClient(client, 2000, 1));
      }
      if (client.state() != State.CONNECTED) {
        throw new IllegalStateException(
            "client lost its connection during the run: " + client.state());
      }
      report("pipelined (" + window + " in flight, " + messages + " msgs)", bareRuns, clientRuns);
      report("sequential (1 in flight, 2000 msgs)", bareSeq, clientSeq);
    }
  }

  private static void report(String title, List<Result> bare, List<Result> client) {
    Result b = median(bare);
    Result c = median(client);
    double[] ratios = new double[bare.size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = client.get(i).perSecond() / bare.get(i).perSecond();
    }
    Arrays.sort(ratios);
    System.out.println(title + ", median of " + bare.size() + " rounds:");
    System.out.printf(
        Locale.ROOT,
        "  bare Tyrus     : %9.0f msg/s  p50 %6d us  p99 %6d us  CPU %5.1f us/msg%n",
        b.perSecond(),
        b.p50Micros(),
        b.p99Micros(),
        medianCpu(bare));
    System.out.printf(
        Locale.ROOT,
        "  RealtimeClient : %9.0f msg/s  p50 %6d us  p99 %6d us  CPU %5.1f us/msg%n",
        c.perSecond(),
        c.p50Micros(),
        c.p99Micros(),
        medianCpu(client));
    System.out.printf(
        Locale.ROOT,
        "  client/bare throughput ratio: median %.2f (per round, sorted: %s)%n",
        ratios[ratios.length / 2],
        Arrays.stream(ratios).mapToObj(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
  }

  private static double medianCpu(List<Result> runs) {
    double[] cpu = runs.stream().mapToDouble(Result::cpuMicrosPerMessage).sorted().toArray();
    return cpu[cpu.length / 2];
  }

  private static Result median(List<Result> runs) {
    List<Result> sorted = new ArrayList<>(runs);
    sorted.sort((x, y) -> Double.compare(x.perSecond(), y.perSecond()));
    return sorted.get(sorted.size() / 2);
  }

  private static Result runBare(BareTyrusPublisher bare, int messages, int window)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(window);
    long[] latencies = new long[messages];
    AtomicInteger acked = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    bare.onAck(
        nanos -> {
          int i = acked.getAndIncrement();
          latencies[i] = nanos;
          inFlight.release();
          if (i + 1 == messages) {
            done.countDown();
          }
        });
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      inFlight.acquire();
      String id = UUID.randomUUID().toString();
      bare.publish(id, frame(i, id));
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("bare run did not finish: " + acked.get() + "/" + messages);
    }
    return result(latencies, messages, System.nanoTime() - start, processCpuNanos() - cpu);
  }

  private static Result runClient(RealtimeClient client, int messages, int window)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(window);
    long[] latencies = new long[messages];
    AtomicInteger acked = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    long cpu = processCpuNanos();
    long start = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      inFlight.acquire();
      long sentAt = System.nanoTime();
      client
          .publish(CHANNEL, data(i))
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  System.err.println("publish failed: " + error);
                }
                int n = acked.getAndIncrement();
                latencies[n] = System.nanoTime() - sentAt;
                inFlight.release();
                if (n + 1 == messages) {
                  done.countDown();
                }
              });
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("client run did not finish: " + acked.get() + "/" + messages);
    }
    return result(latencies, messages, System.nanoTime() - start, processCpuNanos() - cpu);
  }

  private static Result result(long[] latencies, int messages, long elapsedNanos, long cpuNanos) {
    long[] sorted = Arrays.copyOf(latencies, messages);
    Arrays.sort(sorted);
    return new Result(
        messages / (elapsedNanos / 1e9),
        sorted[messages / 2] / 1000,
        sorted[Math.min(messages - 1, (int) (messages * 0.99))] / 1000,
        cpuNanos / 1000.0 / messages);
  }
}
