package io.outpost.agent.camera;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes on the wire (architecture.md §5). Small enough: inside the message as {@code "attachment":
 * {"contentType", "size", "sha256", "data": base64}}. Larger: the message carries the description
 * with an {@code attachmentId} and a {@code chunks} count, and the bytes follow in {@code
 * attachment.chunk} messages ({@code attachmentId}, {@code index}, {@code count}, {@code data}),
 * each through the outbox like every other message, so they are durable, paced and ordered. The
 * receiving side is {@code io.outpost.realtime.AttachmentAssembler}.
 */
public final class Attachments {
  /**
   * Base64 characters one message may carry: 64 KB (the server's {@code maxMessageSize}) less room
   * for the envelope ({@code type}, ids, {@code stream}/{@code seq}, the JSON around it).
   */
  public static final int DEFAULT_MAX_DATA_CHARS = 60 * 1024;

  /** An attachment ready to send: the description for the message and the chunks, if any. */
  public record Prepared(Map<String, Object> attachment, List<Map<String, Object>> chunks) {}

  private Attachments() {}

  /**
   * Prepares {@code bytes}; {@code attachmentId} names the chunks when they are needed (unique per
   * device, e.g. the command id).
   */
  public static Prepared prepare(
      String contentType, byte[] bytes, String attachmentId, int maxDataChars) {
    String data = Base64.getEncoder().encodeToString(bytes);
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("contentType", contentType);
    a.put("size", bytes.length);
    a.put("sha256", sha256(bytes));
    if (data.length() <= maxDataChars) {
      a.put("data", data);
      return new Prepared(a, List.of());
    }
    // Chunks split the bytes (not the base64 text) so that each decodes on its own.
    int bytesPerChunk = maxDataChars / 4 * 3;
    int count = (bytes.length + bytesPerChunk - 1) / bytesPerChunk;
    a.put("attachmentId", attachmentId);
    a.put("chunks", count);
    List<Map<String, Object>> chunks = new ArrayList<>(count);
    Base64.Encoder enc = Base64.getEncoder();
    for (int i = 0; i < count; i++) {
      int from = i * bytesPerChunk;
      int to = Math.min(bytes.length, from + bytesPerChunk);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("type", "attachment.chunk");
      c.put("attachmentId", attachmentId);
      c.put("index", i);
      c.put("count", count);
      c.put("data", enc.encodeToString(java.util.Arrays.copyOfRange(bytes, from, to)));
      chunks.add(c);
    }
    return new Prepared(a, chunks);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
