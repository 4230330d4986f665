package io.outpost.bridge.mqtt;

import io.outpost.plugin.AgentService;
import io.outpost.plugin.AgentServiceFactory;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import io.outpost.plugin.PluginContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the MQTT bridge when the agent configuration has a {@code bridge} section (and it is not
 * {@code "enabled": false}); validates that section for {@code outpost check}.
 */
public final class BridgeServiceFactory implements AgentServiceFactory {

  @Override
  public String section() {
    return "bridge";
  }

  @Override
  public List<ConfigException> validate(Options section) {
    List<ConfigException> problems = new ArrayList<>();
    BridgeConfig.parse(section, problems);
    return problems;
  }

  @Override
  public List<AgentService> create(PluginContext context) throws ConfigException {
    Options section = context.section("bridge");
    if (section.asMap().isEmpty()) {
      return List.of();
    }
    List<ConfigException> problems = new ArrayList<>();
    BridgeConfig config = BridgeConfig.parse(section, problems);
    if (!problems.isEmpty()) {
      throw problems.get(0);
    }
    return config.enabled() ? List.of(new MqttBridge(config)) : List.of();
  }
}
