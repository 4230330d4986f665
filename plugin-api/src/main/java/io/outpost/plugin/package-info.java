/**
 * The Outpost plugin SDK: the small, stable interfaces that sensor drivers, command handlers and
 * long-running services compile against. Nothing here depends on the agent, on Pi4J or on any
 * library; hardware is reached only through {@link io.outpost.plugin.Hardware}.
 *
 * <h2>Extension points</h2>
 *
 * <ul>
 *   <li>{@link io.outpost.plugin.SensorFactory} → {@link io.outpost.plugin.Sensor}: something the
 *       agent samples on a schedule. The factory validates its options and touches no hardware; the
 *       sensor opens hardware in {@code start()}, measures in {@code read()}, releases in {@code
 *       close()}. Failures are thrown, never returned as values.
 *   <li>{@link io.outpost.plugin.CommandHandlerFactory} → {@link io.outpost.plugin.CommandHandler}:
 *       runs a named command ({@code "output.set"}); bad arguments throw {@link
 *       io.outpost.plugin.ConfigException} and become a {@code rejected} result.
 *   <li>{@link io.outpost.plugin.AgentServiceFactory} → {@link io.outpost.plugin.AgentService}:
 *       long-running work (a bridge), started after the uplink exists.
 * </ul>
 *
 * <h2>What the agent gives a plugin</h2>
 *
 * <ul>
 *   <li>{@link io.outpost.plugin.SensorContext}: the sensor's name, its {@link
 *       io.outpost.plugin.Options} (typed getters whose errors name the file, sensor, key and
 *       value), {@link io.outpost.plugin.Hardware}, a {@link java.time.Clock}, {@code emit} for
 *       readings between reads, and a {@link io.outpost.plugin.PluginLog}.
 *   <li>{@link io.outpost.plugin.PluginContext} (handlers and services): device id, the plugin's
 *       config section, clock, a shared scheduler, hardware, the {@link io.outpost.plugin.Uplink},
 *       a {@link io.outpost.plugin.DurableQueue} on request (messages for a destination that is
 *       away, kept across restarts) and a log.
 * </ul>
 *
 * <h2>Conventions</h2>
 *
 * <ul>
 *   <li>Readings are SenML records ({@link io.outpost.plugin.Reading}): a quantity relative to the
 *       sensor's name, a SenML unit ({@code Cel}, {@code Pa}, {@code %RH}, {@code lx}, {@code V},
 *       {@code ppm}, {@code /}), and the time of measurement. Values are reported unrounded.
 *   <li>Threads: {@code Sensor.read()} is called by one sampler thread at a time, with a per-call
 *       timeout; {@code emit} and {@code Uplink} methods are thread-safe and never block; listener
 *       callbacks ({@code GpioInput.onChange}, {@code Uplink.subscribe}) run on event threads and
 *       must not block.
 *   <li>Durations in options are strings ({@code "500ms"}, {@code "10s"}); integers may be hex
 *       strings ({@code "0x76"}); GPIO pins are BCM numbers; I2C addresses are 7-bit.
 *   <li>Errors say where, what and what to do: {@code "bme280 at 0x76 on I2C bus 1: reading the
 *       chip id failed: …; is I2C enabled (raspi-config)?"}.
 * </ul>
 *
 * <h2>Packaging and loading</h2>
 *
 * A plugin jar lists its factories in {@code META-INF/services/io.outpost.plugin.SensorFactory}
 * (and/or {@code io.outpost.plugin.CommandHandlerFactory}, {@code
 * io.outpost.plugin.AgentServiceFactory}). The agent loads each jar from its plugin directories in
 * its own class loader that sees only the JDK and this package. Plugin sensors run isolated:
 * per-call timeouts, backoff after failures, limits on readings and emits. A plugin is unit-tested
 * with the test kit, {@code io.outpost.plugin.testkit} in the separate outpost-plugin-testkit
 * module (test scope). See docs/plugins.md.
 */
package io.outpost.plugin;
