package io.outpost.realtime;

/**
 * Base of every failure this client reports through a future or a listener. Messages never contain
 * credentials.
 */
public class RealtimeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public RealtimeException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, with its cause. */
  public RealtimeException(String message, Throwable cause) {
    super(message, cause);
  }
}
