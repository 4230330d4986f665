package io.outpost.realtime;

/**
 * The request was not sent because the client is not connected (or was closed). Retrying after the
 * next {@link RealtimeListener#onConnected} is safe: nothing reached the server.
 */
public class NotConnectedException extends RealtimeException {

  private static final long serialVersionUID = 1L;

  /** {@code message} says why (state, closed). */
  public NotConnectedException(String message) {
    super(message);
  }
}
