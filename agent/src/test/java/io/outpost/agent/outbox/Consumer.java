package io.outpost.agent.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Plays the uplink against a connected server: reads what the outbox hands out, in order, and acks
 * it at once. Records every events-channel message by seq, so a test can check that each seq the
 * outbox assigned was delivered or announced as dropped.
 */
final class Consumer implements AutoCloseable {
  private final Outbox outbox;
  private final Thread thread;
  private final Map<Long, JsonObject> bySeq = new ConcurrentSkipListMap<>();
  private volatile boolean connected;
  private volatile boolean closed;
  private volatile long deliveredWhileUnwritable;

  Consumer(Outbox outbox) {
    this.outbox = outbox;
    this.thread = new Thread(this::loop, "test-consumer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  void connect() {
    connected = true;
  }

  void disconnect() {
    connected = false;
  }

  private void loop() {
    long cursor = 0;
    while (!closed) {
      if (!connected) {
        cursor = 0; // after a reconnect everything stored is sent again (the backlog)
        pause();
        continue;
      }
      List<Row> rows = outbox.read(cursor, Long.MAX_VALUE, 64);
      boolean writable = outbox.writable();
      for (Row r : rows) {
        cursor = r.rid();
        JsonObject body = Json.parse(r.body()).getAsJsonObject();
        if (r.seq() > 0) {
          bySeq.put(r.seq(), body);
          if (!writable) {
            deliveredWhileUnwritable++;
          }
        }
        outbox.ack(r);
      }
      if (rows.isEmpty()) {
        pause();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean delivered(long seq) {
    return bySeq.containsKey(seq);
  }

  long deliveredWhileUnwritable() {
    return deliveredWhileUnwritable;
  }

  List<JsonObject> announcements() {
    return bySeq.values().stream()
        .filter(b -> "buffer.dropped".equals(b.get("type").getAsString()))
        .toList();
  }

  /** Every seq from 1 to {@code lastSeq} was delivered or lies in an announced dropped range. */
  void assertEverySeqDeliveredOrAnnounced(long lastSeq) {
    TreeMap<Long, Long> dropped = new TreeMap<>();
    for (JsonObject a : announcements()) {
      if (a.has("fromSeq")) {
        dropped.put(a.get("fromSeq").getAsLong(), a.get("toSeq").getAsLong());
      }
    }
    StringBuilder missing = new StringBuilder();
    int gaps = 0;
    for (long s = 1; s <= lastSeq; s++) {
      if (bySeq.containsKey(s)) {
        continue;
      }
      Map.Entry<Long, Long> range = dropped.floorEntry(s);
      if (range != null && s <= range.getValue()) {
        continue;
      }
      if (gaps++ < 20) {
        missing.append(s).append(' ');
      }
    }
    assertThat(gaps).as("seqs neither delivered nor announced: %s", missing).isZero();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join(2000);
  }
}
