package io.outpost.realtime;

/**
 * The request was written but the connection died before its ack: the server may or may not have
 * processed it. Re-issue only if that is harmless for your application.
 */
public final class DisconnectedException extends NotConnectedException {

  private static final long serialVersionUID = 1L;

  private final int closeCode;

  /** The connection carrying the request closed with {@code closeCode} and {@code reason}. */
  public DisconnectedException(int closeCode, String reason) {
    super(
        "connection closed before ack (code "
            + closeCode
            + (reason.isEmpty() ? "" : ", " + reason)
            + ")");
    this.closeCode = closeCode;
  }

  /** The WebSocket close code of the connection that carried the request. */
  public int closeCode() {
    return closeCode;
  }
}
