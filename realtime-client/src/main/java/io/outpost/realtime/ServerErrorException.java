package io.outpost.realtime;

/** The server answered a request with an {@code error} frame; the connection stays open. */
public final class ServerErrorException extends RealtimeException {

  private static final long serialVersionUID = 1L;

  private final String code;
  private final String serverMessage;

  /** The server's {@code code} and informational {@code serverMessage}. */
  public ServerErrorException(String code, String serverMessage) {
    super(
        "server rejected the request: "
            + code
            + (serverMessage.isEmpty() ? "" : " (" + serverMessage + ")"));
    this.code = code;
    this.serverMessage = serverMessage;
  }

  /** The server's machine code, e.g. {@code channel_not_authorized}, {@code peer_not_found}. */
  public String code() {
    return code;
  }

  /** The server's informational text (untrusted, may be empty). */
  public String serverMessage() {
    return serverMessage;
  }
}
