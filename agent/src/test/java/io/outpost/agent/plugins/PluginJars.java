package io.outpost.agent.plugins;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds small plugin jars at test time: compiles Java sources against the plugin API on the test
 * class path with the JDK's compiler and packs them with their {@code META-INF/services} files.
 * This avoids a reactor dependency on examples/sensor-plugin (which depends on nothing but
 * plugin-api).
 */
public final class PluginJars {
  private PluginJars() {}

  /**
   * @param sources class name -> Java source
   * @param services service interface name -> implementation class names, one per line
   */
  static Path build(
      Path dir, String jarName, Map<String, String> sources, Map<String, String> services)
      throws IOException {
    Path src = Files.createTempDirectory(dir, "src");
    Path classes = Files.createTempDirectory(dir, "classes");
    List<String> args =
        new ArrayList<>(
            List.of(
                "-d",
                classes.toString(),
                "--release",
                "17",
                "-proc:none",
                "-classpath",
                System.getProperty("java.class.path")));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler: the tests need a JDK, not a JRE");
    }
    int rc = sources.isEmpty() ? 0 : javac.run(null, null, null, args.toArray(String[]::new));
    if (rc != 0) {
      throw new IllegalStateException("compiling the test plugin failed (exit " + rc + ")");
    }
    Path jar = dir.resolve(jarName);
    try (OutputStream os = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(os)) {
      try (Stream<Path> walk = Files.walk(classes)) {
        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
          Files.copy(p, out);
          out.closeEntry();
        }
      }
      for (Map.Entry<String, String> e : services.entrySet()) {
        out.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
        out.write((e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  /**
   * A plugin with one sensor type {@code type} that reads {@code value} and tells whether it can
   * see Gson.
   */
  public static Path sensorPlugin(Path dir, String jarName, String pkg, String type, double value)
      throws IOException {
    String factory = pkg + ".Factory";
    String source =
        """
        package %s;

        import io.outpost.plugin.*;
        import java.util.List;

        public final class Factory implements SensorFactory {
          @Override public String type() { return "%s"; }
          @Override public String description() { return "test plugin sensor"; }
          @Override public Sensor create(SensorContext ctx) throws ConfigException {
            ctx.options().allowOnly(java.util.Set.of("scale"));
            double scale = ctx.options().number("scale", 1.0);
            return () -> {
              boolean seesGson;
              try {
                Class.forName("com.google.gson.Gson", false, Factory.class.getClassLoader());
                seesGson = true;
              } catch (ClassNotFoundException e) {
                seesGson = false;
              }
              return List.of(Reading.number("value", "/", %s * scale, ctx.clock().instant()),
                  Reading.bool("seesAgentClasses", seesGson, ctx.clock().instant()));
            };
          }
        }
        """
            .formatted(pkg, type, Double.toString(value));
    return build(
        dir, jarName, Map.of(factory, source), Map.of("io.outpost.plugin.SensorFactory", factory));
  }
}
