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
   * Everything the plugin says to the network goes through here (and so through the durable
   * outbox).
   */
  Uplink uplink();

  PluginLog log();
}
