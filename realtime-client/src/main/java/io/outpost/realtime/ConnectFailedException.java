package io.outpost.realtime;

/**
 * A connection attempt failed before {@code welcome}: transport or TLS failure, a close code from
 * the server (e.g. 4001 invalid token), a welcome timeout, or a token provider failure.
 */
public final class ConnectFailedException extends RealtimeException {

  private static final long serialVersionUID = 1L;

  private final int closeCode;

  /** A failure with a message that names the target (never the credential) and the close code. */
  public ConnectFailedException(String message, int closeCode) {
    super(message);
    this.closeCode = closeCode;
  }

  /** As above, keeping the cause. */
  public ConnectFailedException(String message, int closeCode, Throwable cause) {
    super(message, cause);
    this.closeCode = closeCode;
  }

  /** The WebSocket close code, or 1006 when the transport failed without one. */
  public int closeCode() {
    return closeCode;
  }
}
