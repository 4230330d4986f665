package io.outpost.agent.plugins;

import java.nio.file.Path;

/**
 * Why a plugin jar (or one factory in it) was not loaded: reported in logs and status, never fatal
 * to the agent or to the other plugins.
 *
 * @param jar the jar file
 * @param message what went wrong and, where it helps, what to do
 */
public record PluginProblem(Path jar, String message) {
  @Override
  public String toString() {
    return jar + ": " + message;
  }
}
