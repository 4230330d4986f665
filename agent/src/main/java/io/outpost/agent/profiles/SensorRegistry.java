package io.outpost.agent.profiles;

import io.outpost.agent.drivers.Drivers;
import io.outpost.agent.drivers.sim.SimCounter;
import io.outpost.agent.drivers.sim.SimMotion;
import io.outpost.agent.drivers.sim.SimRandomWalk;
import io.outpost.agent.drivers.sim.SimSine;
import io.outpost.agent.outputs.Outputs;
import io.outpost.plugin.SensorFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Sensor factories by type: the simulated ones, the built-in drivers and those from plugins. The
 * {@code gpio-out} sensors created through one registry declare themselves in its {@link
 * #outputs()}.
 */
public final class SensorRegistry {
  private final Map<String, SensorFactory> byType = new TreeMap<>();
  private final Outputs outputs;

  /**
   * The synthetic sensors and {@link Drivers#all(Outputs)}, plus {@code extra} (plugin factories).
   *
   * @param outputs where {@code gpio-out} sensors register; the running agent switches them through
   *     it
   */
  public SensorRegistry(List<SensorFactory> extra, Outputs outputs) {
    this.outputs = outputs;
    List<SensorFactory> all = new ArrayList<>(simulated());
    all.addAll(Drivers.all(outputs));
    all.addAll(extra);
    for (SensorFactory f : all) {
      // First registration wins: a plugin cannot silently replace a built-in type.
      byType.putIfAbsent(f.type(), f);
    }
  }

  /** The built-in types only, with a fresh {@link Outputs} of their own. */
  public static SensorRegistry builtIn() {
    return new SensorRegistry(List.of(), new Outputs());
  }

  /** The outputs the {@code gpio-out} sensors of this registry register in. */
  public Outputs outputs() {
    return outputs;
  }

  public static List<SensorFactory> simulated() {
    return List.of(SimCounter.FACTORY, SimSine.FACTORY, SimRandomWalk.FACTORY, SimMotion.FACTORY);
  }

  public Optional<SensorFactory> factory(String type) {
    return Optional.ofNullable(byType.get(type));
  }

  public List<String> types() {
    return Collections.unmodifiableList(new ArrayList<>(byType.keySet()));
  }
}
