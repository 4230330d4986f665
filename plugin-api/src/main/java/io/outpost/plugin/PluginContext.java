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

  Clock clock();

  /**
   * A shared scheduler for short tasks. Never block in it: long work belongs on the plugin's own
   * thread.
   */
  ScheduledExecutorService scheduler();

  Hardware hardware();

  /**
   * Everything the plugin says to the network goes through here (and so through the durable
   * outbox).
   */
  Uplink uplink();

  PluginLog log();
}
