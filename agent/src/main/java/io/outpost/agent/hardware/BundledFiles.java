package io.outpost.agent.hardware;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Finds the fixture files of bundled simulated profiles ({@code device-profiles/sim/**}, packaged
 * as classpath resources {@code profiles/sim/**}). A bundled profile has no directory of its own,
 * so a {@code simulate} path that is not found next to the profile is looked up here. Inside a jar
 * the file or directory is copied to a temporary directory once per process, because the register
 * images are small and sysfs roots must be real directories.
 */
final class BundledFiles {
  private static final String ROOT = "profiles/";
  private static Path extracted;

  private BundledFiles() {}

  /**
   * The bundled file or directory {@code relative} (such as {@code "sim/greenhouse/sht31.hex"}), if
   * any.
   */
  static Optional<Path> find(String relative) {
    return find(BundledFiles.class.getClassLoader(), relative);
  }

  /** As {@link #find(String)}, looking in {@code loader} (tests use a jar of their own). */
  static synchronized Optional<Path> find(ClassLoader loader, String relative) {
    if (relative.startsWith("/") || relative.contains("..")) {
      return Optional.empty();
    }
    URL url = loader.getResource(ROOT + relative);
    if (url == null) {
      return Optional.empty();
    }
    try {
      if ("file".equals(url.getProtocol())) {
        return Optional.of(Path.of(url.toURI()));
      }
      if ("jar".equals(url.getProtocol())) {
        return Optional.of(extract((JarURLConnection) url.openConnection(), relative));
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // Reported by the caller as "not a file": the resource exists but cannot be read as one.
    }
    return Optional.empty();
  }

  private static Path extract(JarURLConnection connection, String relative) throws IOException {
    if (extracted == null) {
      extracted = Files.createTempDirectory("outpost-sim");
      extracted.toFile().deleteOnExit();
    }
    String prefix = ROOT + relative;
    connection.setUseCaches(false);
    try (JarFile jar = connection.getJarFile()) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        String n = e.getName();
        if (!n.equals(prefix) && !n.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
          continue;
        }
        Path target = extracted.resolve(n.substring(ROOT.length())).normalize();
        if (!target.startsWith(extracted)) {
          continue;
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          try (InputStream in = jar.getInputStream(e)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    return extracted.resolve(relative);
  }
}
