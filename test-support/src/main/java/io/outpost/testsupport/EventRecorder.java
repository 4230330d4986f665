package io.outpost.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * Records events (any objects) from any thread, with the names of the threads they came on, for a
 * test to wait on and inspect. A recording listener is this plus one line per callback: {@code
 * public void onMessage(ChannelMessage m) { record(m); }}.
 */
public class EventRecorder {

  private final List<Object> events = new ArrayList<>();

  /** The names of the threads that recorded events. */
  public final Set<String> callbackThreads = ConcurrentHashMap.newKeySet();

  /** Records {@code event} and the current thread's name. */
  protected synchronized void record(Object event) {
    callbackThreads.add(Thread.currentThread().getName());
    events.add(event);
  }

  /** Everything recorded so far, in order. */
  public synchronized List<Object> events() {
    return new ArrayList<>(events);
  }

  /** The recorded events of one type, in order. */
  public <T> List<T> all(Class<T> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The recorded events of one type that match {@code filter}, in order. */
  public <T> List<T> all(Class<T> type, Predicate<T> filter) {
    return all(type).stream().filter(filter).toList();
  }

  /**
   * Waits (at most {@code timeout}) until {@code count} events of this type match, returns them.
   */
  public <T> List<T> await(Class<T> type, Predicate<T> filter, int count, Duration timeout) {
    Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .alias("waiting for " + count + " " + type.getSimpleName() + " events; got " + events())
        .until(() -> all(type, filter).size() >= count);
    return all(type, filter);
  }

  public <T> T awaitOne(Class<T> type, Predicate<T> filter, Duration timeout) {
    return await(type, filter, 1, timeout).get(0);
  }

  public <T> T awaitOne(Class<T> type, Duration timeout) {
    return awaitOne(type, e -> true, timeout);
  }

  public synchronized void clear() {
    events.clear();
  }
}
