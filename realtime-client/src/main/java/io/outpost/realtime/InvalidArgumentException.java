package io.outpost.realtime;

/** An argument broke a protocol rule (channel name, peerId, data); nothing was sent. */
public final class InvalidArgumentException extends RealtimeException {

  private static final long serialVersionUID = 1L;

  /** {@code message} names the argument and the rule it broke. */
  public InvalidArgumentException(String message) {
    super(message);
  }
}
