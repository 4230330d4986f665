/**
 * The plugin SDK's test kit: fakes that let a sensor driver run unmodified without hardware.
 *
 * <ul>
 *   <li>{@link io.outpost.plugin.testkit.RegisterFileI2c} — an I2C chip as a 256-byte register file
 *       (text format in {@link io.outpost.plugin.testkit.RegisterImage}) with a pluggable {@link
 *       io.outpost.plugin.I2cModel} for command-driven chips;
 *   <li>{@link io.outpost.plugin.testkit.ScriptedSpi} — an SPI chip answering from a {@code TX ->
 *       RX} script;
 *   <li>{@link io.outpost.plugin.testkit.FakeSysfs} — a temporary {@code /sys} and {@code /proc}
 *       tree;
 *   <li>{@link io.outpost.plugin.testkit.FakeGpio} — pins a test drives and observes;
 *   <li>{@link io.outpost.plugin.testkit.FakeHardware} — all of the above behind {@link
 *       io.outpost.plugin.Hardware};
 *   <li>{@link io.outpost.plugin.testkit.FakeClock} and {@link
 *       io.outpost.plugin.testkit.TestSensorContext} — time and a sensor's context.
 * </ul>
 *
 * <p>The agent's {@code "simulate"} support in device profiles is built from these same classes, so
 * a simulated profile and a plugin's unit test exercise one implementation. The classes ship in
 * their own jar, {@code outpost-plugin-testkit}, which a plugin adds with {@code test} scope (and
 * plugin-api with {@code provided} scope); nothing here is part of the API a plugin runs against. A
 * plugin's {@link io.outpost.plugin.I2cModel} lives in its main code, so the agent can run it in
 * profiles. See docs/plugins.md and docs/simulation.md.
 */
package io.outpost.plugin.testkit;
