package io.outpost.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, from the build. */
public final class Version {
  private Version() {}

  public static String agent() {
    try (InputStream in =
        Version.class.getClassLoader().getResourceAsStream("outpost-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
