package io.outpost.plugin;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** What command handlers and services are given by the agent. */
public interface PluginContext {

  /** This device's id ({@code device.id}). */
  String deviceId();

  /**
   * The plugin's own section of the agent config ({@code plugins.config.<name>}), possibly empty.
   */
  Options options();

  /** This device's fleet ({@code device.fleet}), or null when the agent does not say. */
  default String fleetId() {
    return null;
  }

  /**
   * A top-level section of the agent configuration that a service shipped with the agent owns (the
   * MQTT bridge reads {@code bridge}), possibly empty. Its location names the file it came from.
   */
  default Options section(String name) {
    return Options.empty(name);
  }

  Clock clock();

  /**
   * A shared scheduler for short tasks. Never block in it: long work belongs on the plugin's own
   * thread.
   */
  ScheduledExecutorService scheduler();

  Hardware hardware();

  /**
   * Lets {@code handler} run every command whose name starts with {@code namePrefix} (e.g. {@code
   * "mqtt."}) after the agent's usual checks (target, expiry, authorization, duplicates), for
   * services that take a family of commands. Agents without this refuse it.
   */
  default void handleCommands(String namePrefix, CommandHandler handler) {
    throw new UnsupportedOperationException("this agent cannot route commands to services");
  }

  /**
   * The agent's durable queue {@code name} (letters and digits, starting with a lower-case letter),
   * opened in its state directory and bounded to {@code maxBytes} of entry data: for a service that
   * must hold messages for a destination that is away without losing them to a restart. Asking
   * again for the same name (a restarted service) returns the same queue with the new bound; the
   * agent closes it at shutdown. Agents without this refuse it.
   *
   * @throws java.io.IOException when the queue cannot be opened
   */
  default DurableQueue queue(String name, long maxBytes) throws java.io.IOException {
    throw new UnsupportedOperationException("this agent cannot keep durable queues for services");
  }

  /**
   * Everything the plugin says to the network goes through here (and so through the durable
   * outbox).
   */
  Uplink uplink();

  PluginLog log();
}
