package io.outpost.realtime;

import io.outpost.testsupport.EventRecorder;
import java.time.Duration;

/**
 * A listener that records every event (and the thread it came on) for tests to wait on and inspect;
 * the recording and waiting are {@link EventRecorder}'s.
 */
final class RecordingListener extends EventRecorder implements RealtimeListener {

  record Connected(Welcome welcome) {}

  record Disconnected(int code, String reason, boolean willReconnect) {}

  record GoingAway(Duration retryAfter) {}

  record TokenFailure(int consecutiveFailures, Throwable error) {}

  record StateChange(State from, State to) {}

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
