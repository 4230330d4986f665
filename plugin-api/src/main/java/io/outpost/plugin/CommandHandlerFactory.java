package io.outpost.plugin;

import java.util.List;

/**
 * Supplies command handlers from a plugin jar ({@code
 * META-INF/services/io.outpost.plugin.CommandHandlerFactory}).
 */
public interface CommandHandlerFactory {

  List<CommandHandler> create(PluginContext context) throws ConfigException;
}
