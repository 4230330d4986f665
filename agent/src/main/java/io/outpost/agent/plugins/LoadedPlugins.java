package io.outpost.agent.plugins;

import io.outpost.log.Logger;
import io.outpost.plugin.AgentServiceFactory;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandHandlerFactory;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.PluginContext;
import io.outpost.plugin.SensorFactory;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link PluginLoader} found: the factories of every jar that loaded, the jars, and the
 * problems of those that did not. {@link #close()} closes the class loaders (after the agent has
 * stopped everything the plugins created).
 */
public final class LoadedPlugins implements AutoCloseable {
  private final List<SensorFactory> sensorFactories;
  private final List<CommandHandlerFactory> commandHandlerFactories;
  private final List<AgentServiceFactory> serviceFactories;
  private final List<Path> jars;
  private final List<PluginProblem> problems;
  private final List<URLClassLoader> loaders;

  LoadedPlugins(
      List<SensorFactory> sensorFactories,
      List<CommandHandlerFactory> commandHandlerFactories,
      List<AgentServiceFactory> serviceFactories,
      List<Path> jars,
      List<PluginProblem> problems,
      List<URLClassLoader> loaders) {
    this.sensorFactories = List.copyOf(sensorFactories);
    this.commandHandlerFactories = List.copyOf(commandHandlerFactories);
    this.serviceFactories = List.copyOf(serviceFactories);
    this.jars = List.copyOf(jars);
    this.problems = List.copyOf(problems);
    this.loaders = List.copyOf(loaders);
  }

  public List<SensorFactory> sensorFactories() {
    return sensorFactories;
  }

  /**
   * The sensor factories wrapped so that every sensor they create is an {@link IsolatedSensor}:
   * what the agent registers next to the built-in drivers.
   */
  public List<SensorFactory> isolatedSensorFactories(IsolatedSensor.Limits limits) {
    List<SensorFactory> out = new ArrayList<>();
    for (SensorFactory f : sensorFactories) {
      out.add(new IsolatingFactory(f, limits));
    }
    return out;
  }

  /**
   * Asks every {@link CommandHandlerFactory} for its handlers. A factory that throws is skipped and
   * reported in {@code problems} (the other plugins' handlers are still returned).
   */
  public List<CommandHandler> createCommandHandlers(PluginContext context, List<String> problems) {
    List<CommandHandler> out = new ArrayList<>();
    for (CommandHandlerFactory f : commandHandlerFactories) {
      try {
        List<CommandHandler> handlers = f.create(context);
        if (handlers != null) {
          handlers.stream().filter(java.util.Objects::nonNull).forEach(out::add);
        }
      } catch (ConfigException e) {
        problems.add(f.getClass().getName() + ": " + e.getMessage());
      } catch (RuntimeException | LinkageError e) {
        problems.add(f.getClass().getName() + ".create failed: " + PluginLoader.describe(e));
      }
    }
    return out; // the caller reports the problems
  }

  public List<CommandHandlerFactory> commandHandlerFactories() {
    return commandHandlerFactories;
  }

  public List<AgentServiceFactory> serviceFactories() {
    return serviceFactories;
  }

  /** The jars that loaded (possibly with some factories left out, see {@link #problems()}). */
  public List<Path> jars() {
    return jars;
  }

  /**
   * What {@code jar} (one of {@link #jars()}) provides: its sensor types, command handler factory
   * classes and service factory classes, for {@code outpost check}.
   */
  public Map<String, List<String>> provides(Path jar) {
    int i = jars.indexOf(jar);
    ClassLoader loader = i < 0 ? null : loaders.get(i);
    Map<String, List<String>> out = new LinkedHashMap<>();
    out.put(
        "sensorTypes",
        sensorFactories.stream()
            .filter(f -> f.getClass().getClassLoader() == loader)
            .map(SensorFactory::type)
            .toList());
    out.put("commandHandlerFactories", classesFrom(commandHandlerFactories, loader));
    out.put("serviceFactories", classesFrom(serviceFactories, loader));
    return out;
  }

  private static List<String> classesFrom(List<?> factories, ClassLoader loader) {
    return factories.stream()
        .filter(f -> f.getClass().getClassLoader() == loader)
        .map(f -> f.getClass().getName())
        .toList();
  }

  /** Jars or factories that could not be loaded; empty when all is well. */
  public List<PluginProblem> problems() {
    return problems;
  }

  @Override
  public void close() {
    for (URLClassLoader l : loaders) {
      try {
        l.close();
      } catch (IOException e) {
        Logger.debug("closing plugin class loader {} failed: {}", l.getName(), e.getMessage());
      }
    }
  }
}
