package io.outpost.bridge.mqtt;

import io.outpost.plugin.DurableQueue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Messages waiting for the broker, in arrival order, kept in the agent's durable queue ({@link
 * DurableQueue}): they survive the agent being killed while the broker is down, and leave the queue
 * only once the broker acknowledged them ({@link #done}). The queue is bounded by bytes; when full
 * the agent drops the oldest (and announces it), and this counts each drop on its rule. {@link
 * #next} paces the drain to {@code rate} messages per second so a backlog after an outage does not
 * flood the broker and its clients. A few entries are read ahead into memory; the futures of
 * messages added by this run complete when the broker has them. Thread-safe.
 */
final class ToBroker {
  /** One message for the broker; {@code rule} is the index of its {@code in} rule. */
  record Message(int rule, String topic, byte[] payload, int qos, boolean retain) {}

  /** A message taken for publishing, with its queue id. */
  record Item(long id, Message message) {}

  /** Told when the queue dropped a message to make room (its future has failed already). */
  interface DropListener {
    void dropped(Message message);
  }

  private static final int READ_AHEAD = 32;
  private static final byte FORMAT = 1;

  private final DurableQueue queue;
  private final DropListener drops;
  private final long intervalNanos;
  private final ArrayDeque<Item> head = new ArrayDeque<>();
  private final Map<Long, CompletableFuture<Void>> waiting = new HashMap<>();
  private long cursor;
  private long nextSendNanos = System.nanoTime();
  private Item inFlight;

  ToBroker(DurableQueue queue, double rate, DropListener drops) {
    this.queue = queue;
    this.drops = drops;
    this.intervalNanos = (long) (1e9 / rate);
  }

  /**
   * Stores {@code m} durably; the future completes when the broker acknowledged it, or fails when
   * it is dropped (queue full) or this bridge stops first.
   *
   * @throws IOException when it could not be stored (nothing was dropped for it)
   * @throws IllegalArgumentException when it alone is larger than the queue's bound
   */
  CompletableFuture<Void> add(Message m) throws IOException {
    CompletableFuture<Void> delivered = new CompletableFuture<>();
    List<DurableQueue.Entry> dropped;
    synchronized (this) {
      DurableQueue.Added a = queue.add(encode(m));
      waiting.put(a.id(), delivered);
      dropped = a.dropped();
      for (DurableQueue.Entry e : dropped) {
        forget(e.id());
      }
      notifyAll();
    }
    for (DurableQueue.Entry e : dropped) {
      Message lost = decode(e.data());
      if (lost != null) {
        drops.dropped(lost);
      }
    }
    return delivered;
  }

  /** Fails the future of a dropped entry and takes it out of the read-ahead. */
  private void forget(long id) {
    CompletableFuture<Void> f = waiting.remove(id);
    if (f != null) {
      f.completeExceptionally(
          new IllegalStateException("dropped: the queue for the broker is full"));
    }
    for (Iterator<Item> it = head.iterator(); it.hasNext(); ) {
      if (it.next().id() == id) {
        it.remove();
      }
    }
  }

  /** The next message once it is due (pacing), or null after {@code waitMs} with nothing. */
  synchronized Item next(long waitMs) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    while (true) {
      long now = System.nanoTime();
      if (head.isEmpty() && queue.size() > (inFlight == null ? 0 : 1)) {
        readAhead();
      }
      if (!head.isEmpty()) {
        if (now >= nextSendNanos) {
          // No credit builds up while idle beyond one message: a burst is paced from its start.
          nextSendNanos = Math.max(nextSendNanos, now - intervalNanos) + intervalNanos;
          inFlight = head.pollFirst();
          return inFlight;
        }
        long waitNs = Math.min(nextSendNanos - now, deadline - now);
        if (waitNs <= 0) {
          return null;
        }
        wait(Math.max(1, waitNs / 1_000_000), (int) (waitNs % 1_000_000));
        continue;
      }
      if (now >= deadline) {
        return null;
      }
      wait(Math.max(1, (deadline - now) / 1_000_000));
    }
  }

  private void readAhead() throws IOException {
    long after = Math.max(cursor, inFlight == null ? 0 : inFlight.id());
    for (DurableQueue.Entry e : queue.peek(after, READ_AHEAD)) {
      cursor = Math.max(cursor, e.id());
      Message m = decode(e.data());
      if (m == null) {
        queue.remove(e.id()); // not ours to understand (a newer format): never let it block
      } else {
        head.addLast(new Item(e.id(), m));
      }
    }
  }

  /** The broker has {@code item}: it leaves the durable queue. */
  void done(Item item) throws IOException {
    CompletableFuture<Void> f;
    synchronized (this) {
      queue.remove(item.id());
      if (inFlight == item) {
        inFlight = null;
      }
      f = waiting.remove(item.id());
    }
    if (f != null) {
      f.complete(null);
    }
  }

  /** Publishing {@code item} failed: it goes first again, so order holds across reconnects. */
  synchronized void putBack(Item item) {
    if (inFlight == item) {
      inFlight = null;
    }
    head.addFirst(item);
  }

  /** Messages waiting, including one being published. */
  long size() {
    return queue.size();
  }

  long bytes() {
    return queue.bytes();
  }

  /** The bridge stops: futures fail, the messages stay queued for the next run. */
  synchronized void stop(RuntimeException why) {
    waiting.values().forEach(f -> f.completeExceptionally(why));
    waiting.clear();
  }

  static byte[] encode(Message m) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(m.payload().length + 64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeInt(m.rule());
      out.writeByte(m.qos());
      out.writeBoolean(m.retain());
      byte[] topic = m.topic().getBytes(StandardCharsets.UTF_8);
      out.writeInt(topic.length);
      out.write(topic);
      out.writeInt(m.payload().length);
      out.write(m.payload());
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e); // a byte array does not fail
    }
  }

  /** The message, or null when {@code data} is not one this version wrote. */
  static Message decode(byte[] data) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      if (in.readByte() != FORMAT) {
        return null;
      }
      int rule = in.readInt();
      int qos = in.readByte();
      boolean retain = in.readBoolean();
      byte[] topic = in.readNBytes(in.readInt());
      byte[] payload = in.readNBytes(in.readInt());
      if (in.available() != 0 || qos < 0 || qos > 1) {
        return null;
      }
      return new Message(rule, new String(topic, StandardCharsets.UTF_8), payload, qos, retain);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
