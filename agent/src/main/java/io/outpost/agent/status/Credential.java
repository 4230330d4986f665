package io.outpost.agent.status;

import io.outpost.agent.config.TokenSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the configured credential can be used at all, checked without using it: a token file (or
 * a provisioning endpoint's bearer file) that is missing, unreadable or empty means the agent will
 * never connect, so health must not call it "knowingly offline".
 */
public final class Credential {
  private Credential() {}

  /** Why the credential cannot be used, or null when it can (or cannot be judged unused). */
  public static String problem(TokenSource source) {
    if (source instanceof TokenSource.FromFile f) {
      return fileProblem("token file", f.path());
    }
    if (source instanceof TokenSource.FromUrl u && u.bearer() != null) {
      String p = problem(u.bearer());
      return p == null ? null : "the provisioning bearer: " + p;
    }
    return null;
  }

  private static String fileProblem(String what, Path path) {
    if (!Files.exists(path)) {
      return what + " " + path + " does not exist";
    }
    // Opened, not read: the secret does not need to pass through the heap for this.
    try (var in = Files.newInputStream(path)) {
      if (Files.size(path) == 0) {
        return what + " " + path + " is empty";
      }
    } catch (IOException e) {
      return what + " " + path + " is unreadable: " + e.getMessage();
    }
    return null;
  }
}
