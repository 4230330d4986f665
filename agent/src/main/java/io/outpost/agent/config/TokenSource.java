package io.outpost.agent.config;

import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Where the device's credential comes from ({@code network.token}); exactly one of the forms below.
 * The token itself is never part of the config printout (see {@link Redactor}).
 */
public sealed interface TokenSource {

  /** {@code {"file": PATH}}: the file's content, trimmed, re-read on every connection attempt. */
  record FromFile(Path path) implements TokenSource {}

  /** {@code {"command": [ARGV…]}}: the command's standard output, trimmed; run on every attempt. */
  record FromCommand(List<String> argv, Duration timeout) implements TokenSource {}

  /**
   * {@code {"url": URL, "bearer": SOURCE, "ttl": "1h"}}: a provisioning endpoint. The agent POSTs
   * {@code {"peerId", "channels", "permissions", "expiresInSec"}} with {@code Authorization: Bearer
   * <bearer>} and reads {@code {"token", "expiresAt"}} (the relay's {@code POST /v1/tokens}).
   */
  record FromUrl(URI url, TokenSource bearer, Duration ttl) implements TokenSource {}

  /** {@code {"value": TOKEN}}: a fixed JWT (cannot be renewed after it expires). */
  record Fixed(String token) implements TokenSource {}

  /** {@code {"key": "pk_…"}}: a publishable key; the server assigns a new peerId per connection. */
  record PublishableKey(String key) implements TokenSource {}

  /** Parses one token source object; {@code o}'s location names the file and key. */
  static TokenSource parse(Options o, Path baseDir) throws ConfigException {
    Set<String> forms = Set.of("file", "command", "url", "value", "key");
    int present = 0;
    for (String form : forms) {
      present += o.has(form) ? 1 : 0;
    }
    if (present != 1) {
      throw new ConfigException(
          o.location(),
          "",
          "expected exactly one of \"file\", \"command\", \"url\", \"value\", \"key\", got "
              + (present == 0 ? "none" : present));
    }
    if (o.has("file")) {
      o.allowOnly(Set.of("file"));
      return new FromFile(baseDir.resolve(o.string("file")));
    }
    if (o.has("command")) {
      o.allowOnly(Set.of("command", "timeout"));
      List<String> argv = o.strings("command");
      if (argv.isEmpty()) {
        throw new ConfigException(
            o.location(), "command", "expected a non-empty list such as [\"/usr/bin/get-token\"]");
      }
      return new FromCommand(argv, positive(o, "timeout", Duration.ofSeconds(10)));
    }
    if (o.has("url")) {
      o.allowOnly(Set.of("url", "bearer", "ttl"));
      String text = o.string("url");
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(o.location(), "url", "\"" + text + "\" is not a URL");
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new ConfigException(
            o.location(), "url", "\"" + text + "\" must be an http:// or https:// URL");
      }
      TokenSource bearer = null;
      if (o.has("bearer")) {
        bearer = parse(o.object("bearer"), baseDir);
        if (bearer instanceof FromUrl || bearer instanceof PublishableKey) {
          throw new ConfigException(
              o.location(), "bearer", "expected {\"file\": …}, {\"command\": …} or {\"value\": …}");
        }
      }
      Duration ttl = positive(o, "ttl", Duration.ofHours(1));
      return new FromUrl(uri, bearer, ttl);
    }
    if (o.has("value")) {
      o.allowOnly(Set.of("value"));
      return new Fixed(nonEmpty(o, "value"));
    }
    o.allowOnly(Set.of("key"));
    String key = nonEmpty(o, "key");
    if (!key.startsWith("pk_")) {
      throw new ConfigException(
          o.location(), "key", "expected a publishable key starting with \"pk_\"");
    }
    return new PublishableKey(key);
  }

  private static String nonEmpty(Options o, String k) throws ConfigException {
    String s = o.string(k);
    if (s.isBlank()) {
      throw new ConfigException(o.location(), k, "must not be empty");
    }
    return s;
  }

  private static Duration positive(Options o, String k, Duration def) throws ConfigException {
    Duration d = o.duration(k, def);
    if (d.isZero() || d.isNegative()) {
      throw new ConfigException(o.location(), k, "must be greater than 0");
    }
    return d;
  }
}
