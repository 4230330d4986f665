package io.outpost.plugin;

import java.util.List;

/**
 * Supplies long-running services from a plugin jar ({@code
 * META-INF/services/io.outpost.plugin.AgentServiceFactory}).
 */
public interface AgentServiceFactory {

  List<AgentService> create(PluginContext context) throws ConfigException;

  /**
   * The top-level configuration section this factory owns (e.g. {@code "bridge"}), or null. The
   * agent hands that section to {@link #validate} during {@code outpost check} and to its services
   * through {@link PluginContext#section}.
   */
  default String section() {
    return null;
  }

  /**
   * Checks {@code section} (the owned section of the agent configuration) without starting anything
   * or touching the network, and returns every problem found (empty when valid). {@code outpost
   * check} prints them like its own.
   */
  default List<ConfigException> validate(Options section) {
    return List.of();
  }
}
