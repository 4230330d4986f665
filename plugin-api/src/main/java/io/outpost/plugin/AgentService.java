package io.outpost.plugin;

/**
 * A long-running extension, such as the MQTT bridge. Started once after the uplink exists, stopped
 * at agent shutdown. A service that throws from {@link #start} is reported in status and retried
 * with backoff; it never takes the agent down.
 */
public interface AgentService extends AutoCloseable {

  /** A short name for logs and status, e.g. {@code "bridge-mqtt"}. */
  String name();

  /** Starts the service; must return promptly (start threads of its own for long work). */
  void start(PluginContext context) throws Exception;

  /**
   * A one-line health word for status: e.g. {@code "ok"}, {@code "connecting"}, {@code "failed:
   * ..."}.
   */
  default String health() {
    return "ok";
  }

  /**
   * Details for the agent's status message and status file, under {@code serviceStatus.<name>}:
   * JSON-like values (Map, List, String, Number, Boolean), e.g. per-rule counters and the state of
   * a broker link. Called from the agent's timer; must be cheap and must not block. Empty by
   * default.
   */
  default java.util.Map<String, Object> status() {
    return java.util.Map.of();
  }

  @Override
  void close() throws Exception;
}
