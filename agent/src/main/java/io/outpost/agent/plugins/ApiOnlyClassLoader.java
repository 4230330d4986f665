package io.outpost.agent.plugins;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every plugin class loader: it shows a plugin the JDK and the plugin API ({@code
 * io.outpost.plugin.*}) and nothing else of the agent's class path. A plugin that bundles its own
 * Gson, or an SLF4J binding, gets its own copy instead of clashing with the agent's, and a plugin
 * that reaches for agent internals fails at load time with a clear {@link NoClassDefFoundError}
 * instead of breaking on the next agent upgrade.
 */
final class ApiOnlyClassLoader extends ClassLoader {
  static final String API_PACKAGE = "io.outpost.plugin.";

  private final ClassLoader api;

  /**
   * @param api the class loader that defined the plugin API (the agent's application loader)
   */
  ApiOnlyClassLoader(ClassLoader api) {
    super("outpost-plugin-api", ClassLoader.getPlatformClassLoader());
    this.api = api;
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    if (name.startsWith(API_PACKAGE)) {
      return api.loadClass(name);
    }
    throw new ClassNotFoundException(name + " (plugins see only the JDK and " + API_PACKAGE + "*)");
  }

  /**
   * Resources come from the JDK only, so the agent's {@code META-INF/services} files stay invisible
   * to plugins.
   */
  @Override
  protected URL findResource(String name) {
    return null;
  }

  @Override
  protected Enumeration<URL> findResources(String name) throws IOException {
    return Collections.emptyEnumeration();
  }
}
