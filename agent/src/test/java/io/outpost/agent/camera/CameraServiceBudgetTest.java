package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.plugin.Hardware;
import io.outpost.plugin.Options;
import io.outpost.plugin.PluginContext;
import io.outpost.plugin.PluginLog;
import io.outpost.plugin.Uplink;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * While the link is down, scheduled pictures stop once the offline budget is used up, so an outage
 * cannot fill the buffer with images; they resume when the link is back.
 */
class CameraServiceBudgetTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final FakeUplink uplink = new FakeUplink();
  private CameraService service;

  @AfterEach
  void tearDown() {
    if (service != null) {
      service.close();
    }
    timer.shutdownNow();
  }

  @Test
  void scheduledSnapshotsStopAtTheBudgetWhileOfflineAndResumeOnline() throws Exception {
    CameraSettings settings =
        new CameraSettings(
            "cam", "auto", 0, 320, 240, 80, 0, false, false, Duration.ofSeconds(5), 640, 480);
    byte[] one = new SimulatedCamera(Clock.systemUTC(), 30, 30).capture(320, 240, 80);
    // Room for two pictures (stored as base64) and a bit: the third is queued, the rest skipped.
    long budget = 2 * one.length * 4 / 3 + 100;
    service =
        new CameraService(
            settings,
            new SimulatedCamera(Clock.systemUTC(), 30, 30),
            new CameraService.Plan(
                Duration.ofMillis(20),
                320,
                240,
                Duration.ZERO,
                25,
                0.01,
                Duration.ZERO,
                0,
                0.5,
                Duration.ZERO,
                60,
                budget),
            Attachments.DEFAULT_MAX_DATA_CHARS);
    service.start(new Context(timer, uplink));

    await().atMost(Duration.ofSeconds(10)).until(() -> service.skippedForBudget() >= 5);
    assertThat(uplink.events).hasSize(3);
    assertThat(uplink.events)
        .allSatisfy(e -> assertThat(e.get("type")).isEqualTo("camera.snapshot"));

    uplink.connected = true;
    await().atMost(Duration.ofSeconds(10)).until(() -> uplink.events.size() >= 10);
  }

  static final class FakeUplink implements Uplink {
    final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    volatile boolean connected;

    @Override
    public void publishEvent(Map<String, Object> data) {
      events.add(data);
    }

    @Override
    public void publish(String channel, Map<String, Object> data) {
      events.add(data);
    }

    @Override
    public void subscribe(String channel, BiConsumer<String, Object> listener) {}

    @Override
    public boolean connected() {
      return connected;
    }
  }

  record Context(ScheduledExecutorService scheduler, Uplink uplink) implements PluginContext {
    @Override
    public String deviceId() {
      return "pi-1";
    }

    @Override
    public Options options() {
      return Options.empty("test");
    }

    @Override
    public Clock clock() {
      return Clock.systemUTC();
    }

    @Override
    public Hardware hardware() {
      throw new UnsupportedOperationException("a camera needs no GPIO");
    }

    @Override
    public PluginLog log() {
      return new PluginLog() {
        @Override
        public void debug(String message) {}

        @Override
        public void info(String message) {}

        @Override
        public void warn(String message) {}

        @Override
        public void error(String message, Throwable cause) {}
      };
    }
  }
}
