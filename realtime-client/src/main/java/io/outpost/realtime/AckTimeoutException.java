package io.outpost.realtime;

import java.time.Duration;

/**
 * Neither {@code ack} nor {@code error} arrived within the configured ack timeout after the frame
 * was written.
 */
public final class AckTimeoutException extends RealtimeException {

  private static final long serialVersionUID = 1L;

  /** A timeout of the request {@code requestId} after {@code timeout}. */
  public AckTimeoutException(String requestId, Duration timeout) {
    super("no ack for request " + requestId + " within " + timeout.toMillis() + " ms");
  }
}
