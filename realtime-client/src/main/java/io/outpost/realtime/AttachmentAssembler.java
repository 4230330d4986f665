package io.outpost.realtime;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Puts attachments back together on the receiving side (architecture.md §5). A message may carry
 * its bytes inline ({@code "attachment": {"contentType", "size", "sha256", "data"}}) or, when they
 * did not fit the server's {@code maxMessageSize}, only their description with an {@code
 * attachmentId} and a chunk {@code count}; the bytes then follow in {@code attachment.chunk}
 * messages ({@code attachmentId}, {@code index}, {@code count}, {@code data}).
 *
 * <p>Feed every message of the channel to {@link #offer}; chunks and descriptions may arrive in any
 * order and more than once. An attachment completes when its description and every chunk are here
 * and the size and SHA-256 match. {@link #expire} reports what is still missing after the timeout.
 * Memory is bounded: at most {@code maxPending} attachments and {@code maxBytes} of chunk data are
 * held; past either the oldest pending attachment is given up (reported by {@link #expire}).
 *
 * <p>Not thread-safe: call it from one thread (a {@link RealtimeListener} callback is one).
 */
public final class AttachmentAssembler {
  /** A complete, verified attachment. */
  public record Complete(
      String attachmentId, String contentType, byte[] bytes, JsonObject message) {}

  /**
   * An attachment given up: the chunk indexes still missing (empty when only the description is).
   */
  public record Incomplete(
      String attachmentId, List<Integer> missing, boolean described, String reason) {}

  private static final class Pending {
    final long startedNanos;
    JsonObject description; // the message whose "attachment" describes the bytes
    String[] chunks;
    long bytes;

    Pending(long startedNanos) {
      this.startedNanos = startedNanos;
    }
  }

  private final Duration timeout;
  private final int maxPending;
  private final long maxBytes;
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final List<Incomplete> givenUp = new ArrayList<>();
  private long heldBytes;

  /** Assembler with a 60 s timeout, 16 pending attachments and 64 MiB of chunk data at most. */
  public AttachmentAssembler() {
    this(Duration.ofSeconds(60), 16, 64L << 20);
  }

  public AttachmentAssembler(Duration timeout, int maxPending, long maxBytes) {
    this.timeout = timeout;
    this.maxPending = maxPending;
    this.maxBytes = maxBytes;
  }

  /**
   * Takes one message of the channel. Returns the attachment it completes, if any; messages without
   * attachments are ignored.
   *
   * @throws IllegalArgumentException for a malformed chunk or description (naming the field)
   */
  public Optional<Complete> offer(JsonObject message) {
    if ("attachment.chunk".equals(string(message, "type"))) {
      return chunk(message);
    }
    JsonElement a = attachmentOf(message);
    if (a == null || !a.isJsonObject()) {
      return Optional.empty();
    }
    JsonObject attachment = a.getAsJsonObject();
    if (attachment.has("data")) {
      byte[] bytes = decode(attachment.get("data"), "attachment.data");
      String id = string(attachment, "attachmentId");
      verify(attachment, bytes);
      return Optional.of(new Complete(id, string(attachment, "contentType"), bytes, message));
    }
    String id = required(attachment, "attachmentId", "attachment.attachmentId");
    int count = count(attachment.get("chunks"), "attachment.chunks");
    Pending p = pendingFor(id, count);
    if (p == null) {
      return Optional.empty();
    }
    p.description = message;
    return tryComplete(id, p);
  }

  /** The message's attachment; a command.result carries it in its {@code result}. */
  private static JsonElement attachmentOf(JsonObject message) {
    JsonElement a = message.get("attachment");
    if (a == null && message.get("result") instanceof JsonObject r) {
      a = r.get("attachment");
    }
    return a;
  }

  private Optional<Complete> chunk(JsonObject message) {
    String id = required(message, "attachmentId", "attachmentId");
    int count = count(message.get("count"), "count");
    JsonElement ie = message.get("index");
    if (ie == null || !ie.isJsonPrimitive() || !ie.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException("index: expected a number");
    }
    int index = ie.getAsInt();
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException("index: " + index + " is outside 0.." + (count - 1));
    }
    JsonElement data = message.get("data");
    if (data == null || !data.isJsonPrimitive() || !data.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException("data: expected base64 text");
    }
    Pending p = pendingFor(id, count);
    if (p == null) {
      return Optional.empty();
    }
    if (p.chunks[index] == null) {
      String d = data.getAsString();
      p.chunks[index] = d;
      p.bytes += d.length();
      heldBytes += d.length();
      while (heldBytes > maxBytes && !pending.isEmpty()) {
        giveUpOldest("more than " + maxBytes + " bytes of chunks held");
      }
      if (!pending.containsKey(id)) {
        return Optional.empty();
      }
    }
    return tryComplete(id, p);
  }

  /** The pending entry for {@code id}, created when new; null when the count disagrees. */
  private Pending pendingFor(String id, int count) {
    Pending p = pending.get(id);
    if (p == null) {
      if (pending.size() >= maxPending) {
        giveUpOldest("more than " + maxPending + " attachments pending");
      }
      p = new Pending(System.nanoTime());
      p.chunks = new String[count];
      pending.put(id, p);
    }
    if (p.chunks.length != count) {
      throw new IllegalArgumentException(
          "count: " + count + " disagrees with " + p.chunks.length + " for " + id);
    }
    return p;
  }

  private Optional<Complete> tryComplete(String id, Pending p) {
    if (p.description == null) {
      return Optional.empty();
    }
    for (String c : p.chunks) {
      if (c == null) {
        return Optional.empty();
      }
    }
    drop(id);
    List<byte[]> parts = new ArrayList<>();
    int size = 0;
    for (int i = 0; i < p.chunks.length; i++) {
      byte[] part = decode(p.chunks[i], "chunk " + i + " data");
      parts.add(part);
      size += part.length;
    }
    byte[] bytes = new byte[size];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, bytes, at, part.length);
      at += part.length;
    }
    JsonObject attachment = attachmentOf(p.description).getAsJsonObject();
    verify(attachment, bytes);
    return Optional.of(new Complete(id, string(attachment, "contentType"), bytes, p.description));
  }

  /**
   * Gives up attachments older than the timeout and returns them with what they lacked, together
   * with any given up earlier to stay within the bounds.
   */
  public List<Incomplete> expire() {
    long now = System.nanoTime();
    Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
    List<String> old = new ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<String, Pending> e = it.next();
      if (now - e.getValue().startedNanos >= timeout.toNanos()) {
        old.add(e.getKey());
      }
    }
    for (String id : old) {
      givenUp.add(describe(id, pending.get(id), "timed out after " + timeout.toSeconds() + " s"));
      drop(id);
    }
    List<Incomplete> out = List.copyOf(givenUp);
    givenUp.clear();
    return out;
  }

  /** Attachments waiting for chunks or their description. */
  public int pending() {
    return pending.size();
  }

  private void giveUpOldest(String reason) {
    String id = pending.keySet().iterator().next();
    givenUp.add(describe(id, pending.get(id), reason));
    drop(id);
  }

  private static Incomplete describe(String id, Pending p, String reason) {
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < p.chunks.length; i++) {
      if (p.chunks[i] == null) {
        missing.add(i);
      }
    }
    return new Incomplete(id, missing, p.description != null, reason);
  }

  private void drop(String id) {
    Pending p = pending.remove(id);
    if (p != null) {
      heldBytes -= p.bytes;
    }
  }

  private static void verify(JsonObject attachment, byte[] bytes) {
    JsonElement size = attachment.get("size");
    if (size != null && size.getAsLong() != bytes.length) {
      throw new IllegalArgumentException(
          "attachment.size: " + size.getAsLong() + " but " + bytes.length + " bytes arrived");
    }
    String sha = string(attachment, "sha256");
    if (sha != null && !sha.equalsIgnoreCase(sha256(bytes))) {
      throw new IllegalArgumentException("attachment.sha256 does not match the bytes");
    }
  }

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  private static byte[] decode(JsonElement e, String field) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(field + ": expected base64 text");
    }
    return decode(e.getAsString(), field);
  }

  private static byte[] decode(String s, String field) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException x) {
      throw new IllegalArgumentException(field + ": not base64");
    }
  }

  private static int count(JsonElement e, String field) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(field + ": expected a number of chunks");
    }
    int n = e.getAsInt();
    if (n < 1 || n > 100_000) {
      throw new IllegalArgumentException(field + ": " + n + " is not 1..100000");
    }
    return n;
  }

  private static String required(JsonObject o, String name, String field) {
    String s = string(o, name);
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException(field + ": expected an id");
    }
    return s;
  }

  private static String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
        ? e.getAsString()
        : null;
  }
}
