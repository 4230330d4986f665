package io.outpost.agent.outbox;

import com.google.gson.JsonObject;
import io.outpost.log.Logger;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The services' durable queues ({@link LocalQueue}) of one agent: opened on first use, the same
 * queue for the same name, closed at shutdown. Drops are announced on the device's events channel
 * through the outbox ({@code buffer.dropped} with {@code queue} and {@code reason} {@code
 * <name>QueueFull}), at most one notice per queue per {@link #COALESCE} so a flood into a full
 * queue does not become a flood of notices; a count is marked announced only once the outbox
 * committed its notice.
 */
public final class LocalQueues implements AutoCloseable {
  static final Duration COALESCE = Duration.ofSeconds(1);

  private final Path stateDir;
  private final boolean durable;
  private final Outbox outbox;
  private final String eventsChannel;
  private final ScheduledExecutorService timer;
  private final Map<String, LocalQueue> open = new LinkedHashMap<>();
  private final Map<String, Boolean> scheduled = new LinkedHashMap<>();
  private boolean closed;

  /**
   * @param durable false when the agent keeps its buffer in memory: so are the queues then
   * @param timer runs the notices (short work: an outbox append)
   */
  public LocalQueues(
      Path stateDir,
      String deviceId,
      boolean durable,
      Outbox outbox,
      ScheduledExecutorService timer) {
    this.stateDir = stateDir;
    this.eventsChannel = "devices/" + deviceId + "/events";
    this.durable = durable;
    this.outbox = outbox;
    this.timer = timer;
  }

  /** The queue {@code name}, opened now or before (then with the new bound). */
  public synchronized LocalQueue queue(String name, long maxBytes) throws IOException {
    if (closed) {
      throw new IOException("the agent is stopping");
    }
    LocalQueue q = open.get(name);
    if (q != null) {
      q.maxBytes(maxBytes);
      return q;
    }
    q = LocalQueue.open(stateDir, name, maxBytes, durable);
    open.put(name, q);
    LocalQueue opened = q;
    q.onDrop(() -> dropped(opened));
    if (q.unannounced() > 0) {
      schedule(q); // drops of the last run that it did not get to announce
    }
    return q;
  }

  private synchronized void dropped(LocalQueue q) {
    schedule(q);
  }

  private void schedule(LocalQueue q) {
    if (closed || scheduled.putIfAbsent(q.name(), Boolean.TRUE) != null) {
      return;
    }
    try {
      timer.schedule(() -> announce(q), COALESCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      scheduled.remove(q.name()); // stopping: the count stays stored for the next run
    }
  }

  private void announce(LocalQueue q) {
    long count;
    synchronized (this) {
      scheduled.remove(q.name());
      if (closed) {
        return;
      }
      count = q.unannounced();
    }
    if (count == 0) {
      return;
    }
    JsonObject d = new JsonObject();
    d.addProperty("type", "buffer.dropped");
    d.addProperty("queue", q.name());
    d.addProperty("count", count);
    d.addProperty("reason", q.name() + "QueueFull");
    Logger.warn("queue {} dropped {} oldest entries: full", q.name(), count);
    outbox
        .appendCommitted(eventsChannel, d)
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                return; // not committed: still counted as unannounced, said again next run
              }
              try {
                q.announced(count);
              } catch (IOException | RuntimeException x) {
                Logger.warn("queue {}: {}", q.name(), x.getMessage());
              }
            });
  }

  @Override
  public synchronized void close() {
    closed = true;
    open.values().forEach(LocalQueue::close);
    open.clear();
  }
}
