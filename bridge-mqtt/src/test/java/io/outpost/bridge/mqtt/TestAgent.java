package io.outpost.bridge.mqtt;

import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.PluginContext;
import io.outpost.plugin.PluginLog;
import io.outpost.plugin.Uplink;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;

/**
 * The agent as the bridge sees it, for tests: records what the bridge publishes (as the outbox
 * would commit it), lets a test hold commits back (an agent about to be killed), and delivers
 * channel messages, direct messages and commands to the bridge.
 */
final class TestAgent implements PluginContext, Uplink, AutoCloseable {
  record Published(String channel, Map<String, Object> data) {}

  final List<Published> committed = new CopyOnWriteArrayList<>();
  final Map<String, CommandHandler> commandHandlers =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final List<Map.Entry<String, BiConsumer<String, Object>>> channels =
      new CopyOnWriteArrayList<>();
  private final List<Map.Entry<String, BiConsumer<String, Object>>> directs =
      new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, Object> section;
  private volatile boolean holdCommits;
  private final List<Runnable> held = new ArrayList<>();

  private final java.nio.file.Path stateDir;
  private final List<io.outpost.agent.outbox.LocalQueue> queues = new CopyOnWriteArrayList<>();

  /**
   * @param stateDir where the agent's durable queues live: agents given the same one see the queue
   *     a previous one left (a restart)
   */
  TestAgent(Map<String, Object> bridgeSection, java.nio.file.Path stateDir) {
    this.section = bridgeSection;
    this.stateDir = stateDir;
  }

  /** From now on nothing commits (the process is about to die with it all in memory). */
  synchronized void holdCommits() {
    holdCommits = true;
  }

  @Override
  public String deviceId() {
    return "pi-7";
  }

  @Override
  public String fleetId() {
    return "site-a";
  }

  @Override
  public Options options() {
    return Options.empty("plugins.config.bridge-mqtt");
  }

  @Override
  public Options section(String name) {
    return new Options("agent.json: " + name, "bridge".equals(name) ? section : Map.of());
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  @Override
  public Hardware hardware() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Uplink uplink() {
    return this;
  }

  @Override
  public PluginLog log() {
    return new PluginLog() {
      public void debug(String m) {}

      public void info(String m) {}

      public void warn(String m) {}

      public void error(String m, Throwable c) {}
    };
  }

  @Override
  public void handleCommands(String namePrefix, CommandHandler handler) {
    commandHandlers.put(namePrefix, handler);
  }

  /** The agent's real durable queue, in {@code stateDir}. */
  @Override
  public io.outpost.plugin.DurableQueue queue(String name, long maxBytes)
      throws java.io.IOException {
    var q = io.outpost.agent.outbox.LocalQueue.open(stateDir, name, maxBytes, true);
    queues.add(q);
    return q;
  }

  @Override
  public void publishEvent(Map<String, Object> data) {
    publish("devices/pi-7/events", data);
  }

  @Override
  public void publish(String channel, Map<String, Object> data) {
    committed.add(new Published(channel, data));
  }

  @Override
  public synchronized CompletionStage<Void> publishDurably(
      String channel, Map<String, Object> data) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (holdCommits) {
      return f; // never completes: the bridge must not ack
    }
    committed.add(new Published(channel, data));
    // Like the outbox: committed by another thread a moment later.
    scheduler.execute(() -> f.complete(null));
    return f;
  }

  @Override
  public void subscribe(String channel, BiConsumer<String, Object> listener) {
    channels.add(Map.entry(channel, listener));
  }

  @Override
  public void subscribeDirect(String type, BiConsumer<String, Object> listener) {
    directs.add(Map.entry(type, listener));
  }

  /** A message arriving from the network on {@code channel} (exact-match or '**' suffix globs). */
  void deliver(String channel, Map<String, Object> data) {
    for (var e : channels) {
      String g = e.getKey();
      if (g.equals(channel)
          || g.endsWith("/**") && channel.startsWith(g.substring(0, g.length() - 2))) {
        e.getValue().accept(channel, data);
      }
    }
  }

  void deliverDirect(String from, Map<String, Object> data) {
    for (var e : directs) {
      if (e.getKey().equals(data.get("type"))) {
        e.getValue().accept(from, data);
      }
    }
  }

  List<Map<String, Object>> on(String channel) {
    return committed.stream()
        .filter(p -> p.channel().equals(channel))
        .map(Published::data)
        .toList();
  }

  @Override
  public boolean connected() {
    return true;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    queues.forEach(io.outpost.agent.outbox.LocalQueue::close);
  }
}
