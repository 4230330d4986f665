package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem so {@code outpost check} can report them all at once. */
public final class Problems {
  private final List<ConfigException> list = new ArrayList<>();

  public void add(ConfigException e) {
    list.add(e);
  }

  public void add(String location, String key, String problem) {
    list.add(new ConfigException(location, key, problem));
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<ConfigException> all() {
    return List.copyOf(list);
  }

  /** Throws a {@link ConfigInvalidException} carrying every problem, if there is any. */
  public void throwIfAny() throws ConfigInvalidException {
    if (!list.isEmpty()) {
      throw new ConfigInvalidException(all());
    }
  }
}
