package io.outpost.plugin;

import java.util.List;

/**
 * Supplies long-running services from a plugin jar ({@code
 * META-INF/services/io.outpost.plugin.AgentServiceFactory}).
 */
public interface AgentServiceFactory {

  List<AgentService> create(PluginContext context) throws ConfigException;
}
