package io.outpost.bridge.mqtt;

import io.outpost.plugin.Command;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@code in} rule with a {@code command} prefix: commands whose name starts with it (after the
 * agent's target, expiry, authorization and duplicate checks) are published to the broker. The
 * result is {@code succeeded} once the broker acknowledged the message, or {@code accepted} when it
 * is queued because the broker is away (it is delivered, in order, when the broker returns).
 */
final class CommandToMqtt implements CommandHandler {
  private final MqttBridge bridge;
  private final BridgeConfig.InRule rule;
  private final RuleStats stats;

  CommandToMqtt(MqttBridge bridge, BridgeConfig.InRule rule, RuleStats stats) {
    this.bridge = bridge;
    this.rule = rule;
    this.stats = stats;
  }

  @Override
  public String name() {
    return rule.match() + "*";
  }

  @Override
  public CommandResult handle(Command command) throws Exception {
    stats.in.incrementAndGet();
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("deviceId", bridge.vars().get("deviceId"));
    vars.put("fleetId", bridge.vars().get("fleetId"));
    vars.put("name", command.name().substring(rule.match().length()));
    vars.put("topic", command.name());
    String topic = rule.topic().expand(vars, command.name().split("\\.", -1));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("id", command.id());
    data.put("name", command.name());
    data.put("args", command.args().asMap());
    data.put("from", command.from());
    CompletableFuture<Void> delivered = bridge.enqueue(rule, stats, topic, data);
    long waitMs = Math.max(0, Duration.between(Instant.now(), command.deadline()).toMillis() - 500);
    try {
      delivered.get(bridge.brokerUp() ? waitMs : 0, TimeUnit.MILLISECONDS);
      return CommandResult.succeeded(Map.of("topic", topic));
    } catch (TimeoutException e) {
      return CommandResult.accepted(Map.of("topic", topic, "queued", true));
    } catch (ExecutionException e) {
      return CommandResult.rejected("mqtt", MqttBridge.describe(e));
    }
  }
}
