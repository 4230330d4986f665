package io.outpost.agent.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code outpost run} needs from the file system beyond valid values: a usable state directory
 * and a readable token file. {@code outpost check} runs these so it finds what {@code run} would
 * fail on. The checks use the permissions of the user running them; run {@code check} as the
 * service user to check the service's view.
 */
public final class Preflight {
  private Preflight() {}

  /**
   * Adds a problem at the key for each unusable path.
   *
   * @param network whether {@code network.token} is needed (its file is then checked)
   */
  public static void check(AgentConfig config, boolean network, Problems problems) {
    stateDir(config, problems);
    if (network && config.network() != null) {
      tokenFile(config.network().token(), config, problems);
    }
  }

  private static void stateDir(AgentConfig config, Problems problems) {
    Path dir = config.stateDir();
    String where = config.originOf("stateDir");
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        problems.add(where, "stateDir", "\"" + dir + "\" is not a directory");
      } else if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
        problems.add(where, "stateDir", "\"" + dir + "\" is not writable by this user");
      }
      return;
    }
    // run creates it: the nearest existing ancestor must be a writable directory.
    Path parent = dir.toAbsolutePath().getParent();
    while (parent != null && !Files.exists(parent)) {
      parent = parent.getParent();
    }
    if (parent == null || !Files.isDirectory(parent)) {
      problems.add(
          where,
          "stateDir",
          "\"" + dir + "\" cannot be created: " + parent + " is not a directory");
    } else if (!Files.isWritable(parent)) {
      problems.add(
          where,
          "stateDir",
          "\"" + dir + "\" does not exist and cannot be created: " + parent + " is not writable");
    }
  }

  private static void tokenFile(TokenSource token, AgentConfig config, Problems problems) {
    Path file = null;
    if (token instanceof TokenSource.FromFile f) {
      file = f.path();
    } else if (token instanceof TokenSource.FromUrl u
        && u.bearer() instanceof TokenSource.FromFile f) {
      file = f.path();
    }
    if (file == null) {
      return;
    }
    String where = config.originOf("network.token");
    if (!Files.exists(file)) {
      problems.add(where, "network.token", "file \"" + file + "\" does not exist");
    } else if (!Files.isRegularFile(file)) {
      problems.add(where, "network.token", "\"" + file + "\" is not a regular file");
    } else if (!Files.isReadable(file)) {
      problems.add(where, "network.token", "file \"" + file + "\" is not readable by this user");
    }
  }
}
