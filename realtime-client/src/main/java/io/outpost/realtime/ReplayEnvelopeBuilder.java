package io.outpost.realtime;

import com.google.gson.JsonPrimitive;
import io.outpost.realtime.internal.FrameCodec;

/**
 * Builds the replay envelope {@link ReplayEnvelope} unpacks, from messages that are already JSON
 * text (a device's stored messages): {@code
 * {"type":"replay","device":…,"stream":…,"messages":[<message>, …]}}. Each message is spliced in
 * unchanged, so it keeps its own {@code seq} and {@code id} and no tree is built or written again.
 *
 * <p>A message goes in only when it is exactly one JSON object under strict syntax (the check
 * {@link RealtimeClient#publishJson} makes, on each message alone), so a damaged one can never end
 * the array early and smuggle fields into the envelope; and only while the {@code publish} frame
 * that will carry the envelope on {@code channel} stays within the server's {@code maxMessageSize}
 * in UTF-8 bytes (what the server counts). Send the result with {@link RealtimeClient#publishJson}.
 *
 * <pre>{@code
 * ReplayEnvelopeBuilder b = new ReplayEnvelopeBuilder(device, stream, channel, welcome.maxMessageSize());
 * for (String stored : backlog) {
 *   if (b.add(stored) != ReplayEnvelopeBuilder.Added.YES) break;
 * }
 * client.publishJson(channel, b.build());
 * }</pre>
 *
 * Not thread-safe.
 */
public final class ReplayEnvelopeBuilder {
  /**
   * Bytes kept free for the publish frame around the envelope besides the channel: {@code
   * {"type":"publish","channel":,"data":,"requestId":"…"}} with a request id of up to 128
   * characters.
   */
  public static final int FRAME_MARGIN = 256;

  /** What {@link #add} did. */
  public enum Added {
    /** The message is in the envelope. */
    YES,
    /** It would not fit: the envelope is complete (the message may start the next one). */
    FULL,
    /** It is not exactly one JSON object: it can never go into an envelope (send it alone). */
    NOT_AN_OBJECT
  }

  private final int limit;
  private final StringBuilder text;
  private int bytes;
  private int count;

  /**
   * @param device the device whose stored messages these are
   * @param stream the stream their {@code seq}s belong to
   * @param channel the channel the envelope is published on (its length counts against the cap)
   * @param maxMessageSize the server's cap for a whole frame, from its welcome
   */
  public ReplayEnvelopeBuilder(String device, String stream, String channel, int maxMessageSize) {
    String prefix =
        "{\"type\":\""
            + ReplayEnvelope.TYPE
            + "\",\"device\":"
            + quote(device)
            + ",\"stream\":"
            + quote(stream)
            + ",\"messages\":[";
    this.limit = maxMessageSize - FRAME_MARGIN - FrameCodec.utf8Length(quote(channel));
    this.text = new StringBuilder(prefix);
    this.bytes = FrameCodec.utf8Length(prefix) + 2; // "]}"
  }

  /**
   * Adds {@code message}, the JSON text of one stored message, if it is exactly one JSON object and
   * the envelope still fits with it. The message is checked (one streaming pass, no tree) only when
   * it fits.
   */
  public Added add(String message) {
    if (message == null || message.isEmpty() || message.charAt(0) != '{') {
      return Added.NOT_AN_OBJECT;
    }
    int more = FrameCodec.utf8Length(message) + (count == 0 ? 0 : 1);
    if (bytes + more > limit) {
      return Added.FULL;
    }
    // Starts with '{' and is one value: an object.
    if (!FrameCodec.isJsonValue(message)) {
      return Added.NOT_AN_OBJECT;
    }
    if (count > 0) {
      text.append(',');
    }
    text.append(message);
    bytes += more;
    count++;
    return Added.YES;
  }

  /** How many messages the envelope holds. */
  public int count() {
    return count;
  }

  /** The envelope's JSON text (valid JSON, one object, also while empty). */
  public String build() {
    return new StringBuilder(text.length() + 2).append(text).append("]}").toString();
  }

  private static String quote(String s) {
    return new JsonPrimitive(s).toString();
  }
}
