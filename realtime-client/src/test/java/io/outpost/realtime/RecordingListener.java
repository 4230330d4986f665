package io.outpost.realtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A listener that records every event (and the thread it came on) for tests to wait on and inspect.
 */
final class RecordingListener implements RealtimeListener {

  record Connected(Welcome welcome) {}

  record Disconnected(int code, String reason, boolean willReconnect) {}

  record GoingAway(Duration retryAfter) {}

  record TokenFailure(int consecutiveFailures, Throwable error) {}

  record StateChange(State from, State to) {}

  private final List<Object> events = new ArrayList<>();
  final Set<String> callbackThreads = ConcurrentHashMap.newKeySet();

  private synchronized void record(Object event) {
    callbackThreads.add(Thread.currentThread().getName());
    events.add(event);
  }

  synchronized List<Object> events() {
    return new ArrayList<>(events);
  }

  <T> List<T> all(Class<T> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T> List<T> all(Class<T> type, Predicate<T> filter) {
    return all(type).stream().filter(filter).toList();
  }

  /**
   * Waits (at most {@code timeout}) until {@code count} events of this type match, returns them.
   */
  <T> List<T> await(Class<T> type, Predicate<T> filter, int count, Duration timeout) {
    Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .alias("waiting for " + count + " " + type.getSimpleName() + " events; got " + events())
        .until(() -> all(type, filter).size() >= count);
    return all(type, filter);
  }

  <T> T awaitOne(Class<T> type, Predicate<T> filter, Duration timeout) {
    return await(type, filter, 1, timeout).get(0);
  }

  <T> T awaitOne(Class<T> type, Duration timeout) {
    return awaitOne(type, e -> true, timeout);
  }

  synchronized void clear() {
    events.clear();
  }

  @Override
  public void onMessage(ChannelMessage message) {
    record(message);
  }

  @Override
  public void onDirect(DirectMessage message) {
    record(message);
  }

  @Override
  public void onPresence(PresenceChange change) {
    record(change);
  }

  @Override
  public void onConnected(Welcome welcome) {
    record(new Connected(welcome));
  }

  @Override
  public void onDisconnected(int code, String reason, boolean willReconnect) {
    record(new Disconnected(code, reason, willReconnect));
  }

  @Override
  public void onGoingAway(Duration retryAfter) {
    record(new GoingAway(retryAfter));
  }

  @Override
  public void onServerError(ServerError error) {
    record(error);
  }

  @Override
  public void onTokenProviderFailure(int consecutiveFailures, Throwable error) {
    record(new TokenFailure(consecutiveFailures, error));
  }

  @Override
  public void onStateChange(State from, State to) {
    record(new StateChange(from, to));
  }
}
