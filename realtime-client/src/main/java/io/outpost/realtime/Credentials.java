package io.outpost.realtime;

import java.util.Objects;
import java.util.Optional;

/**
 * How the client authenticates: a publishable key ({@code ?key=}), a static JWT, or a {@link
 * TokenProvider} ({@code ?token=}). The secret never appears in {@link #toString()}, in log lines
 * or in exception messages.
 */
public final class Credentials {

  /** Which kind of credential this is. */
  public enum Kind {
    /** {@code ?key=pk_…}. */
    PUBLISHABLE_KEY,
    /** {@code ?token=} with a fixed JWT. */
    STATIC_TOKEN,
    /** {@code ?token=} with a JWT fetched per connection attempt. */
    TOKEN_PROVIDER
  }

  private final Kind kind;
  private final String secret;
  private final TokenProvider provider;

  private Credentials(Kind kind, String secret, TokenProvider provider) {
    this.kind = kind;
    this.secret = secret;
    this.provider = provider;
  }

  /** A publishable key ({@code pk_live_…}); the server assigns a new peerId on every connection. */
  public static Credentials publishableKey(String key) {
    return new Credentials(Kind.PUBLISHABLE_KEY, requireText(key, "publishableKey"), null);
  }

  /**
   * A fixed JWT. It cannot be renewed: after it expires (close 4002) reconnects fail until you
   * create a client with a new one. Prefer {@link #tokenProvider(TokenProvider)}.
   */
  public static Credentials token(String jwt) {
    return new Credentials(Kind.STATIC_TOKEN, requireText(jwt, "token"), null);
  }

  /**
   * A provider asked for a fresh JWT on every connection attempt; enables make-before-break
   * refresh.
   */
  public static Credentials tokenProvider(TokenProvider provider) {
    return new Credentials(
        Kind.TOKEN_PROVIDER, null, Objects.requireNonNull(provider, "tokenProvider"));
  }

  /** The kind of credential. */
  public Kind kind() {
    return kind;
  }

  /** The key or static token; empty for a provider. Handle with care: this is the secret. */
  public Optional<String> secret() {
    return Optional.ofNullable(secret);
  }

  /** The provider, for {@link Kind#TOKEN_PROVIDER}. */
  public Optional<TokenProvider> provider() {
    return Optional.ofNullable(provider);
  }

  private static String requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }

  @Override
  public String toString() {
    return "Credentials[" + kind + ", redacted]";
  }
}
