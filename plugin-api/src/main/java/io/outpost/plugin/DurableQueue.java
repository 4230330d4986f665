package io.outpost.plugin;

import java.io.IOException;
import java.util.List;

/**
 * A durable, bounded, ordered queue the agent keeps in its state directory for a service that holds
 * messages for a destination that is away (the MQTT bridge's messages for a broker that is down).
 * Get one with {@link PluginContext#queue}.
 *
 * <p>An entry survives the process being killed once {@link #add} returned, and leaves only when
 * the service {@link #remove}s it (after its destination confirmed it), so a crash in between
 * delivers it again. When an entry would take the queue past its byte bound, the oldest entries are
 * dropped to make room and the agent announces it in-band on the device's events channel, like the
 * outbox's own drops: {@code {"type": "buffer.dropped", "queue": NAME, "count": N, "reason": NAME +
 * "QueueFull"}}. Thread-safe; calls touch the disk (a small write), so keep them off threads that
 * must never wait.
 *
 * <pre>{@code
 * DurableQueue q = context.queue("bridge", 4_000_000);
 * q.add(bytes);                                   // durable now
 * for (DurableQueue.Entry e : q.peek(0, 16)) {    // oldest first
 *   send(e.data());
 *   q.remove(e.id());                             // only once the destination has it
 * }
 * }</pre>
 */
public interface DurableQueue {

  /** One entry: {@code id}s increase in the order entries were added. */
  record Entry(long id, byte[] data) {}

  /** What {@link #add} did: the new entry's id and the oldest entries dropped to make room. */
  record Added(long id, List<Entry> dropped) {}

  /**
   * Appends {@code data} durably.
   *
   * @throws IllegalArgumentException when {@code data} alone is larger than the queue's bound
   * @throws IOException when it could not be stored (nothing was dropped then)
   */
  Added add(byte[] data) throws IOException;

  /** Up to {@code limit} entries with {@code id > afterId}, oldest first. */
  List<Entry> peek(long afterId, int limit) throws IOException;

  /** Removes the entry {@code id} (delivered); removing one that is gone is not an error. */
  void remove(long id) throws IOException;

  /** Entries in the queue. */
  long size();

  /** Bytes of entry data in the queue (what the bound applies to). */
  long bytes();
}
