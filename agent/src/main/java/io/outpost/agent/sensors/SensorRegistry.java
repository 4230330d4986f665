package io.outpost.agent.sensors;

import io.outpost.agent.drivers.Drivers;
import io.outpost.plugin.SensorFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Sensor factories by type: the simulated ones, the built-in drivers and those from plugins. */
public final class SensorRegistry {
  private final Map<String, SensorFactory> byType = new TreeMap<>();

  /** The synthetic sensors and {@link Drivers#all()}, plus {@code extra} (plugin factories). */
  public SensorRegistry(List<SensorFactory> extra) {
    List<SensorFactory> all = new ArrayList<>(simulated());
    all.addAll(Drivers.all());
    all.addAll(extra);
    for (SensorFactory f : all) {
      // First registration wins: a plugin cannot silently replace a built-in type.
      byType.putIfAbsent(f.type(), f);
    }
  }

  public static SensorRegistry builtIn() {
    return new SensorRegistry(List.of());
  }

  public static List<SensorFactory> simulated() {
    return List.of(new SimCounter.Factory(), new SimSine.Factory(), new SimRandomWalk.Factory(), new SimMotion.Factory());
  }

  public Optional<SensorFactory> factory(String type) {
    return Optional.ofNullable(byType.get(type));
  }

  public List<String> types() {
    return Collections.unmodifiableList(new ArrayList<>(byType.keySet()));
  }
}
