package io.outpost.realtime;

/**
 * Options of one subscription, replayed unchanged on every reconnect.
 *
 * @param includeSenderMetadata ask the server to stamp the sender's {@code peerMetadata} on every
 *     {@link ChannelMessage} of this channel (default {@code false})
 */
public record SubscribeOptions(boolean includeSenderMetadata) {

  /** The defaults: no sender metadata. */
  public static final SubscribeOptions DEFAULT = new SubscribeOptions(false);

  /** Options with {@code includeSenderMetadata = true}. */
  public static SubscribeOptions withSenderMetadata() {
    return new SubscribeOptions(true);
  }
}
