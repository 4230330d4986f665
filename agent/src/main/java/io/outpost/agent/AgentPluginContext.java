package io.outpost.agent;

import io.outpost.agent.internal.Json;
import io.outpost.agent.internal.LogSafe;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.uplink.Link;
import io.outpost.log.Logger;
import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.PluginContext;
import io.outpost.plugin.PluginLog;
import io.outpost.plugin.Uplink;
import io.outpost.realtime.ReplayEnvelope;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * What plugins (command handlers, services) get from the agent. Their {@link Uplink} writes into
 * the outbox like everything else the device says, and their subscriptions are served from the
 * agent's one connection. Thread-safe.
 */
final class AgentPluginContext implements PluginContext, Uplink {
  private final String deviceId;
  private final Options options;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Hardware hardware;
  private final Outbox outbox;
  private final Link link;
  private final List<Subscription> subscriptions;
  private final io.outpost.agent.outbox.LocalQueues queues;
  private final java.util.function.Function<String, Options> sections;
  private final java.util.function.BiConsumer<String, io.outpost.plugin.CommandHandler>
      commandPrefixes;

  /** A channel subscription, or with {@code directType} set, one for direct messages. */
  record Subscription(Pattern pattern, BiConsumer<String, Object> listener, String directType) {
    Subscription(Pattern pattern, BiConsumer<String, Object> listener) {
      this(pattern, listener, null);
    }
  }

  AgentPluginContext(
      String deviceId,
      Options options,
      Clock clock,
      ScheduledExecutorService scheduler,
      Hardware hardware,
      Outbox outbox,
      Link link,
      List<Subscription> subscriptions,
      io.outpost.agent.outbox.LocalQueues queues,
      java.util.function.Function<String, Options> sections,
      java.util.function.BiConsumer<String, io.outpost.plugin.CommandHandler> commandPrefixes) {
    this.sections = sections;
    this.commandPrefixes = commandPrefixes;
    this.deviceId = deviceId;
    this.options = options;
    this.clock = clock;
    this.scheduler = scheduler;
    this.hardware = hardware;
    this.outbox = outbox;
    this.link = link;
    this.subscriptions = subscriptions;
    this.queues = queues;
  }

  static List<Subscription> newSubscriptionList() {
    return new CopyOnWriteArrayList<>();
  }

  /**
   * Delivers a channel message to every plugin subscription whose pattern matches. A replay
   * envelope (architecture.md §5) is delivered as the messages in it, one call each, so a plugin
   * reading another device's events (a bridge forwarding them) sees them as they were produced.
   */
  static void deliver(List<Subscription> subs, String channel, com.google.gson.JsonElement data) {
    List<com.google.gson.JsonElement> messages = null;
    for (Subscription s : subs) {
      if (s.directType() == null && s.pattern().matcher(channel).matches()) {
        if (messages == null) {
          messages = ReplayEnvelope.unpack(data);
        }
        for (com.google.gson.JsonElement m : messages) {
          try {
            s.listener().accept(channel, Json.toJava(m));
          } catch (RuntimeException e) {
            Logger.error("plugin listener for {} failed: {}", LogSafe.of(channel), LogSafe.of(e));
          }
        }
      }
    }
  }

  /** Delivers a direct message to the plugin subscriptions for its {@code type}. */
  static void deliverDirect(
      List<Subscription> subs, String from, com.google.gson.JsonElement data) {
    if (!data.isJsonObject()
        || !(data.getAsJsonObject().get("type") instanceof com.google.gson.JsonPrimitive t)) {
      return;
    }
    for (Subscription s : subs) {
      if (t.getAsString().equals(s.directType())) {
        try {
          s.listener().accept(from, Json.toJava(data));
        } catch (RuntimeException e) {
          Logger.error("plugin listener for direct {} failed: {}", s.directType(), e.toString());
        }
      }
    }
  }

  /**
   * Channel glob as in protocol.md §8: {@code *} within one segment, {@code **} across segments.
   */
  static Pattern glob(String channel) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < channel.length(); i++) {
      char c = channel.charAt(i);
      if (c == '*' && i + 1 < channel.length() && channel.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^/]*");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  @Override
  public String deviceId() {
    return deviceId;
  }

  @Override
  public Options options() {
    return options;
  }

  @Override
  public Options section(String name) {
    return sections.apply(name);
  }

  @Override
  public void handleCommands(String namePrefix, io.outpost.plugin.CommandHandler handler) {
    commandPrefixes.accept(namePrefix, handler);
  }

  @Override
  public io.outpost.plugin.DurableQueue queue(String name, long maxBytes)
      throws java.io.IOException {
    return queues.queue(name, maxBytes);
  }

  @Override
  public String fleetId() {
    Options fleet = sections.apply("device");
    return fleet.asMap().get("fleet") instanceof String f ? f : null;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  @Override
  public Hardware hardware() {
    return hardware;
  }

  @Override
  public Uplink uplink() {
    return this;
  }

  @Override
  public PluginLog log() {
    return new SensorSetup.LoggerPluginLog("plugin");
  }

  @Override
  public void publishEvent(Map<String, Object> data) {
    if (!(data.get("type") instanceof String)) {
      throw new IllegalArgumentException("an event needs a string \"type\"");
    }
    outbox.appendEvent(Json.toJson(data).getAsJsonObject());
  }

  @Override
  public void publish(String channel, Map<String, Object> data) {
    if (("devices/" + deviceId + "/events").equals(channel)) {
      publishEvent(data);
    } else {
      outbox.appendTo(channel, Json.toJson(data).getAsJsonObject());
    }
  }

  @Override
  public java.util.concurrent.CompletionStage<Void> publishDurably(
      String channel, Map<String, Object> data) {
    if (("devices/" + deviceId + "/events").equals(channel)
        && !(data.get("type") instanceof String)) {
      throw new IllegalArgumentException("an event needs a string \"type\"");
    }
    return outbox.appendCommitted(channel, Json.toJson(data).getAsJsonObject());
  }

  @Override
  public void subscribe(String channel, BiConsumer<String, Object> listener) {
    subscriptions.add(new Subscription(glob(channel), listener));
    link.subscribe(channel);
  }

  @Override
  public void subscribeDirect(String type, BiConsumer<String, Object> listener) {
    subscriptions.add(new Subscription(null, listener, type));
  }

  @Override
  public boolean connected() {
    return link.connected();
  }
}
