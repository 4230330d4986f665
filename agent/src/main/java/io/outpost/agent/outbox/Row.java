package io.outpost.agent.outbox;

/**
 * One stored message.
 *
 * @param rid storage order (ascending = the order the agent produced messages)
 * @param cls {@link #TELEMETRY} or {@link #EVENT}, which decides the overflow policy
 * @param channel where it is published, or null for a direct message
 * @param to the peerId of a direct message, else null
 * @param seq the stream sequence number carried in the body (0 for messages off the events channel)
 * @param createdMillis when it was appended (epoch millis)
 * @param body the complete JSON text of {@code data}
 */
public record Row(
    long rid, int cls, String channel, String to, long seq, long createdMillis, String body) {
  public static final int TELEMETRY = 0;
  public static final int EVENT = 1;

  /** Bytes this row counts against {@code buffer.maxBytes}. */
  public long size() {
    return body.length() + 64L;
  }
}
