package io.outpost.agent.plugins;

import io.outpost.log.Logger;
import io.outpost.plugin.AgentServiceFactory;
import io.outpost.plugin.CommandHandlerFactory;
import io.outpost.plugin.SensorFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * Loads plugin jars: every {@code *.jar} in the configured directories (default {@link
 * #DEFAULT_DIRS}), each in its own {@link URLClassLoader} whose parent shows only the plugin API
 * ({@link ApiOnlyClassLoader}), and finds their {@link SensorFactory}, {@link
 * CommandHandlerFactory} and {@link AgentServiceFactory} implementations through {@link
 * ServiceLoader} ({@code META-INF/services/io.outpost.plugin.*}).
 *
 * <p>A bad jar (not a zip, a service entry naming a missing class, a constructor that throws, a
 * class compiled for a newer Java, a sensor type already taken) is reported as a {@link
 * PluginProblem} and logged; the other jars still load. Missing directories are skipped (a fresh
 * device has none). Jars load in name order within each directory, directories in the given order,
 * so a type clash always resolves the same way.
 */
public final class PluginLoader {
  /**
   * Where packages install plugins, then where an administrator drops their own (architecture.md
   * §6).
   */
  public static final List<Path> DEFAULT_DIRS =
      List.of(Path.of("/usr/lib/outpost/plugins"), Path.of("/etc/outpost/plugins"));

  private final ClassLoader apiLoader;

  public PluginLoader() {
    this(SensorFactory.class.getClassLoader());
  }

  /**
   * @param apiLoader the class loader that defined {@code io.outpost.plugin}
   */
  PluginLoader(ClassLoader apiLoader) {
    this.apiLoader = apiLoader;
  }

  /**
   * Loads every jar in {@code dirs}.
   *
   * @param reservedTypes sensor types that are already taken (the built-in drivers); a plugin
   *     factory claiming one is left out with a problem
   */
  public LoadedPlugins load(List<Path> dirs, Set<String> reservedTypes) {
    ApiOnlyClassLoader parent = new ApiOnlyClassLoader(apiLoader);
    List<SensorFactory> sensors = new ArrayList<>();
    List<CommandHandlerFactory> handlers = new ArrayList<>();
    List<AgentServiceFactory> services = new ArrayList<>();
    List<Path> jars = new ArrayList<>();
    List<PluginProblem> problems = new ArrayList<>();
    List<URLClassLoader> loaders = new ArrayList<>();
    Map<String, Path> typeOwners = new HashMap<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        Logger.debug("plugin directory {} does not exist; skipped", dir);
        continue;
      }
      List<Path> found = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
        ds.forEach(found::add);
      } catch (IOException e) {
        problems.add(new PluginProblem(dir, "cannot list the plugin directory: " + e.getMessage()));
        continue;
      }
      found.sort(null);
      for (Path jar : found) {
        URLClassLoader loader = open(jar, parent, problems);
        if (loader == null) {
          continue;
        }
        int before = problems.size();
        List<SensorFactory> s = discover(SensorFactory.class, loader, jar, problems);
        List<CommandHandlerFactory> h =
            discover(CommandHandlerFactory.class, loader, jar, problems);
        List<AgentServiceFactory> a = discover(AgentServiceFactory.class, loader, jar, problems);
        for (SensorFactory f : s) {
          String type = safeType(f, jar, problems);
          if (type == null) {
            continue;
          }
          if (reservedTypes.contains(type)) {
            problems.add(
                new PluginProblem(
                    jar,
                    "sensor type \""
                        + type
                        + "\" of "
                        + f.getClass().getName()
                        + " is a built-in type; the plugin's factory is ignored (rename its type, e.g. \"vendor."
                        + type
                        + "\")"));
          } else if (typeOwners.containsKey(type)) {
            problems.add(
                new PluginProblem(
                    jar,
                    "sensor type \""
                        + type
                        + "\" is already provided by "
                        + typeOwners.get(type).getFileName()
                        + "; this jar's factory is ignored"));
          } else {
            typeOwners.put(type, jar);
            sensors.add(f);
          }
        }
        handlers.addAll(h);
        services.addAll(a);
        if (s.isEmpty() && h.isEmpty() && a.isEmpty() && problems.size() == before) {
          problems.add(
              new PluginProblem(
                  jar,
                  "declares no factories: add META-INF/services/io.outpost.plugin.SensorFactory "
                      + "(or CommandHandlerFactory, AgentServiceFactory) listing its classes"));
        }
        jars.add(jar);
        loaders.add(loader);
        Logger.info(
            "plugin {}: {} sensor type(s), {} command handler factory(ies), {} service factory(ies)",
            jar.getFileName(),
            s.size(),
            h.size(),
            a.size());
      }
    }
    services.addAll(builtInServices(problems));
    for (PluginProblem p : problems) {
      Logger.warn("plugin {}: {}", p.jar(), p.message());
    }
    return new LoadedPlugins(sensors, handlers, services, jars, problems, loaders);
  }

  /**
   * Service factories shipped with the agent itself (jars beside it on the class path, such as the
   * MQTT bridge); each decides from its own configuration section whether it runs.
   */
  private static List<AgentServiceFactory> builtInServices(List<PluginProblem> problems) {
    List<AgentServiceFactory> out = new ArrayList<>();
    try {
      ServiceLoader.load(AgentServiceFactory.class, PluginLoader.class.getClassLoader())
          .forEach(out::add);
    } catch (ServiceConfigurationError | LinkageError e) {
      problems.add(new PluginProblem(Path.of("(class path)"), describe(e)));
    }
    return out;
  }

  @SuppressWarnings("try") // the JarFile is opened only to check the file, then closed
  private static URLClassLoader open(Path jar, ClassLoader parent, List<PluginProblem> problems) {
    // Open it as a jar first: a truncated download fails here with a clear message, not later
    // inside ServiceLoader with a confusing one.
    try (JarFile ignored = new JarFile(jar.toFile())) {
      URL url = jar.toUri().toURL();
      return new URLClassLoader("plugin:" + jar.getFileName(), new URL[] {url}, parent);
    } catch (MalformedURLException e) {
      problems.add(new PluginProblem(jar, "bad path: " + e.getMessage()));
    } catch (IOException e) {
      problems.add(
          new PluginProblem(
              jar, "not a readable jar file (" + e.getMessage() + "); was the copy complete?"));
    }
    return null;
  }

  private static <T> List<T> discover(
      Class<T> service, URLClassLoader loader, Path jar, List<PluginProblem> problems) {
    List<T> out = new ArrayList<>();
    Iterator<T> it = ServiceLoader.load(service, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        T t = it.next();
        if (t.getClass().getClassLoader() != loader) {
          continue; // visible through the parent, not this jar's own
        }
        out.add(t);
      } catch (ServiceConfigurationError | LinkageError e) {
        problems.add(new PluginProblem(jar, service.getSimpleName() + ": " + describe(e)));
        if (e instanceof LinkageError) {
          break; // the iterator cannot go on past a class that failed to link
        }
      } catch (RuntimeException e) {
        problems.add(new PluginProblem(jar, service.getSimpleName() + ": " + describe(e)));
        break;
      }
    }
    return out;
  }

  private static String safeType(SensorFactory f, Path jar, List<PluginProblem> problems) {
    try {
      String type = f.type();
      if (type == null || !type.matches("[a-z0-9][a-z0-9.-]*")) {
        problems.add(
            new PluginProblem(
                jar,
                f.getClass().getName()
                    + ".type() returned "
                    + (type == null ? "null" : "\"" + type + "\"")
                    + ", expected lower case letters, digits, '.' and '-'"));
        return null;
      }
      return type;
    } catch (RuntimeException | LinkageError e) {
      problems.add(
          new PluginProblem(jar, f.getClass().getName() + ".type() failed: " + describe(e)));
      return null;
    }
  }

  /** The message with its causes, short enough for a log line (no stack trace). */
  static String describe(Throwable e) {
    StringBuilder sb =
        new StringBuilder(
            String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    Throwable c = e.getCause();
    for (int depth = 0; c != null && depth < 3; depth++, c = c.getCause()) {
      sb.append(": ")
          .append(c.getClass().getSimpleName())
          .append(c.getMessage() == null ? "" : " " + c.getMessage());
    }
    return sb.toString();
  }
}
