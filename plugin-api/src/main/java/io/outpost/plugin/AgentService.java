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

  @Override
  void close() throws Exception;
}
