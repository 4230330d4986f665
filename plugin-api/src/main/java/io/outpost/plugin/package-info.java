/**
 * The Outpost plugin SDK: the small, stable interfaces that sensor drivers, command handlers and
 * long-running services compile against. Nothing here depends on the agent, on Pi4J or on any
 * library; hardware is reached only through {@link io.outpost.plugin.Hardware}.
 *
 * <p>A plugin jar lists its factories in {@code META-INF/services/io.outpost.plugin.SensorFactory}
 * (and/or {@code io.outpost.plugin.CommandHandlerFactory}, {@code io.outpost.plugin.AgentServiceFactory});
 * the agent loads each jar in its own class loader. See docs/plugins.md.
 */
package io.outpost.plugin;
