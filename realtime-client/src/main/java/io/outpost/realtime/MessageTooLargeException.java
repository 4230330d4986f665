package io.outpost.realtime;

/**
 * The serialized frame is larger than the server's {@code maxMessageSize}; nothing was sent and the
 * connection stays up.
 */
public final class MessageTooLargeException extends RealtimeException {

  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  /** A frame of {@code size} bytes against a limit of {@code limit} bytes. */
  public MessageTooLargeException(long size, long limit) {
    super("frame of " + size + " bytes exceeds the server's maxMessageSize of " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  /** Serialized frame size in UTF-8 bytes. */
  public long size() {
    return size;
  }

  /** The limit that applied, in bytes. */
  public long limit() {
    return limit;
  }
}
