package io.outpost.realtime;

/**
 * The bounded outbound queue ({@link RealtimeConfig.Limits#maxQueuedRequests()}) is full because
 * requests are issued faster than the send rate allows; nothing was sent. Slow down or wait for
 * earlier futures.
 */
public final class QueueFullException extends RealtimeException {

  private static final long serialVersionUID = 1L;

  /** The queue holds {@code limit} requests already. */
  public QueueFullException(int limit) {
    super("outbound queue is full (" + limit + " requests waiting for the send rate limit)");
  }
}
