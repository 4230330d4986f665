package io.outpost.bridge.mqtt;

import io.outpost.plugin.PluginContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Batches SenML records per rule and channel into one telemetry message: the network carries few,
 * larger messages (its message-rate limit), while each MQTT message's acknowledgement waits for the
 * batch that holds it to be committed.
 */
final class SenmlBatcher {
  interface Sink {
    CompletionStage<Void> publish(String channel, List<Map<String, Object>> records);
  }

  private record Key(int rule, String channel) {}

  private static final class Batch {
    final List<Map<String, Object>> records = new ArrayList<>();
    final List<CompletableFuture<Void>> waiting = new ArrayList<>();
    RuleStats stats;
    int messages;
    ScheduledFuture<?> timer;
  }

  private final PluginContext context;
  private final Sink sink;
  private final Map<Key, Batch> batches = new HashMap<>();

  SenmlBatcher(PluginContext context, Sink sink) {
    this.context = context;
    this.sink = sink;
  }

  void add(
      BridgeConfig.OutRule rule,
      RuleStats stats,
      String channel,
      List<Map<String, Object>> records,
      CompletableFuture<Void> committed) {
    Key key = new Key(rule.index(), channel);
    Batch full = null;
    synchronized (this) {
      Batch b = batches.computeIfAbsent(key, k -> new Batch());
      b.stats = stats;
      b.records.addAll(records);
      b.waiting.add(committed);
      b.messages++;
      if (b.records.size() >= rule.batchMaxRecords()) {
        full = batches.remove(key);
        if (full.timer != null) {
          full.timer.cancel(false);
        }
      } else if (b.timer == null) {
        b.timer =
            context
                .scheduler()
                .schedule(() -> flush(key), rule.batchMaxDelay().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    if (full != null) {
      send(key.channel(), full);
    }
  }

  private void flush(Key key) {
    Batch b;
    synchronized (this) {
      b = batches.remove(key);
    }
    if (b != null) {
      send(key.channel(), b);
    }
  }

  private void send(String channel, Batch b) {
    CompletionStage<Void> stage;
    try {
      stage = sink.publish(channel, b.records);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (ok, e) -> {
          if (e == null) {
            b.stats.out.addAndGet(b.messages);
            b.waiting.forEach(f -> f.complete(null));
          } else {
            b.stats.error(
                "telemetry not committed: " + MqttBridge.describe(e), context.clock().instant());
            b.waiting.forEach(f -> f.completeExceptionally(e));
          }
        });
  }

  /** Sends what is pending now (at shutdown, while the outbox still takes messages). */
  void close() {
    List<Map.Entry<Key, Batch>> all;
    synchronized (this) {
      all = new ArrayList<>(batches.entrySet());
      batches.clear();
    }
    for (var e : all) {
      if (e.getValue().timer != null) {
        e.getValue().timer.cancel(false);
      }
      send(e.getKey().channel(), e.getValue());
    }
  }
}
