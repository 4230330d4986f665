/**
 * The MQTT bridge: an {@link io.outpost.plugin.AgentService} shipped with the agent that carries a
 * local broker's messages to the realtime network ({@code out} rules) and network messages and
 * commands to the broker ({@code in} rules), losing nothing the broker accepted. See
 * docs/bridge.md.
 */
package io.outpost.bridge.mqtt;
