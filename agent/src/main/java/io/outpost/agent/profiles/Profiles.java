package io.outpost.agent.profiles;

import io.outpost.agent.config.JsonFiles;
import io.outpost.agent.config.Problems;
import io.outpost.plugin.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds device profiles: bundled ones (the {@code device-profiles/} directory of the repository,
 * packaged as classpath resources {@code profiles/*.json}) and files given by path.
 */
public final class Profiles {
  private static final String DIR = "profiles/";

  private Profiles() {}

  /** A loaded profile: its name, description, the raw JSON tree and where it came from. */
  public record Profile(
      String name, String description, Map<String, Object> json, String source, Path baseDir) {}

  /** Whether {@code nameOrPath} names a file rather than a bundled profile. */
  public static boolean isPath(String nameOrPath) {
    return nameOrPath.contains("/") || nameOrPath.endsWith(".json");
  }

  /**
   * Loads a bundled profile by name or a profile file by path (relative to {@code baseDir}).
   *
   * @throws ConfigException naming the profile and what is wrong (unknown name lists the bundled
   *     ones)
   */
  public static Profile load(String nameOrPath, Path baseDir) throws ConfigException {
    Problems problems = new Problems();
    Profile p = load(nameOrPath, baseDir, problems);
    if (!problems.isEmpty()) {
      throw problems.all().get(0);
    }
    return p;
  }

  /**
   * As {@link #load(String, Path)}, but a profile that parsed is returned even when its header is
   * wrong (a missing {@code name} becomes the file's name), with the problem added to {@code
   * problems}, so that its sensors are still checked.
   *
   * @throws ConfigException when there is no profile to check at all
   */
  public static Profile load(String nameOrPath, Path baseDir, Problems problems)
      throws ConfigException {
    if (isPath(nameOrPath)) {
      Path p = baseDir.resolve(nameOrPath).normalize();
      try {
        return check(JsonFiles.read(p), p.getFileName().toString(), p.getParent(), problems);
      } catch (NoSuchFileException e) {
        throw new ConfigException(p.toString(), "", "no such profile file");
      }
    }
    try (InputStream in =
        Profiles.class.getClassLoader().getResourceAsStream(DIR + nameOrPath + ".json")) {
      if (in == null) {
        throw new ConfigException(
            "",
            "profile",
            "\""
                + nameOrPath
                + "\" is neither a bundled profile "
                + bundledNames()
                + " nor a path to a .json file");
      }
      String source = nameOrPath + ".json";
      return check(JsonFiles.parse(in.readAllBytes(), source), source, baseDir, problems);
    } catch (IOException e) {
      throw new ConfigException(
          "", "profile", "cannot read bundled profile \"" + nameOrPath + "\": " + e.getMessage());
    }
  }

  private static Profile check(Object tree, String source, Path baseDir, Problems problems)
      throws ConfigException {
    if (!(tree instanceof Map<?, ?> m)) {
      throw new ConfigException(
          source, "", "expected a JSON object with \"name\", \"description\" and \"sensors\"");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) m;
    Object name = json.get("name");
    String n;
    if (name instanceof String given && !given.isBlank()) {
      n = given;
    } else {
      problems.add(source, "name", "missing, expected a string");
      n = source.endsWith(".json") ? source.substring(0, source.length() - 5) : source;
    }
    Object d = json.get("description");
    return new Profile(n, d instanceof String s ? s : "", json, source, baseDir);
  }

  /** The names of every bundled profile, sorted. */
  public static List<String> bundledNames() {
    TreeSet<String> names = new TreeSet<>();
    try {
      Enumeration<URL> roots = Profiles.class.getClassLoader().getResources(DIR);
      while (roots.hasMoreElements()) {
        URL url = roots.nextElement();
        if ("file".equals(url.getProtocol())) {
          try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
            s.map(p -> p.getFileName().toString())
                .filter(f -> f.endsWith(".json"))
                .forEach(f -> names.add(f.substring(0, f.length() - 5)));
          }
        } else if ("jar".equals(url.getProtocol())) {
          String spec = url.getPath();
          String jarPath = spec.substring("file:".length(), spec.indexOf("!/"));
          try (JarFile jar = new JarFile(Path.of(new java.net.URI("file:" + jarPath)).toFile())) {
            Enumeration<JarEntry> en = jar.entries();
            while (en.hasMoreElements()) {
              String n = en.nextElement().getName();
              if (n.startsWith(DIR) && n.endsWith(".json") && n.indexOf('/', DIR.length()) < 0) {
                names.add(n.substring(DIR.length(), n.length() - 5));
              }
            }
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // An unreadable class path entry hides its profiles; the rest are still listed.
    }
    // device-profiles/ also holds the profiles' JSON Schema, which is not a profile.
    names.removeIf(n -> n.endsWith(".schema"));
    return new ArrayList<>(names);
  }
}
