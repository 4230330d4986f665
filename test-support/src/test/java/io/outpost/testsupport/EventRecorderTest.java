package io.outpost.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

class EventRecorderTest {

  record Joined(String peer) {}

  @Test
  void waitsForEventsRecordedOnAnotherThreadAndNamesTheThread() throws Exception {
    EventRecorder recorder = new EventRecorder();
    Thread t =
        new Thread(
            () -> {
              recorder.record("ignored");
              recorder.record(new Joined("a"));
              recorder.record(new Joined("b"));
            },
            "callbacks");
    t.start();
    assertThat(recorder.await(Joined.class, j -> true, 2, Duration.ofSeconds(5)))
        .containsExactly(new Joined("a"), new Joined("b"));
    assertThat(recorder.awaitOne(Joined.class, j -> j.peer().equals("b"), Duration.ofSeconds(1)))
        .isEqualTo(new Joined("b"));
    assertThat(recorder.callbackThreads).containsExactly("callbacks");
    assertThatThrownBy(() -> recorder.awaitOne(Integer.class, Duration.ofMillis(100)))
        .isInstanceOf(ConditionTimeoutException.class)
        .hasMessageContaining("waiting for 1 Integer events");
  }
}
