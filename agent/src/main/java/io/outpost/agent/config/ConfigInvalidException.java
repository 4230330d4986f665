package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import java.util.List;
import java.util.stream.Collectors;

/** One or more configuration problems; the message lists them one per line. */
public final class ConfigInvalidException extends Exception {
  private final List<ConfigException> problems;

  public ConfigInvalidException(List<ConfigException> problems) {
    super(problems.stream().map(Throwable::getMessage).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public ConfigInvalidException(ConfigException single) {
    this(List.of(single));
  }

  public List<ConfigException> problems() {
    return problems;
  }
}
