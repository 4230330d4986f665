package io.outpost.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.plugin.AgentService;
import io.outpost.plugin.AgentServiceFactory;
import io.outpost.plugin.PluginContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PluginServicesTest {
  /** A timer that only records what it is asked to run later; the test runs it by hand. */
  static final class ManualTimer extends ScheduledThreadPoolExecutor {
    final List<Runnable> tasks = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();

    ManualTimer() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      tasks.add(command);
      delays.add(Duration.ofNanos(unit.toNanos(delay)));
      return null;
    }

    void runNext() {
      tasks.remove(0).run();
    }
  }

  private final ManualTimer timer = new ManualTimer();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private static AgentService service(String name, AtomicInteger starts, int failFirst) {
    return new AgentService() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void start(PluginContext context) {
        if (starts.incrementAndGet() <= failFirst) {
          throw new IllegalStateException("broker unreachable");
        }
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aFailingStartIsRetriedWithTheAgentsBackoffAndReportedUntilItStarts() {
    AtomicInteger starts = new AtomicInteger();
    PluginServices services = new PluginServices(timer, name -> null);
    AgentServiceFactory f = c -> List.of(service("bridge", starts, 2));
    services.start(List.of(f));
    assertThat(services.status()).containsEntry("bridge", "failed: broker unreachable");
    timer.runNext();
    timer.runNext();
    assertThat(timer.delays).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60));
    assertThat(starts).hasValue(3);
    assertThat(services.status()).containsEntry("bridge", "ok");
    services.close();
  }

  @Test
  void aBrokenFactoryIsReportedAndNoServicesMeansNoStatus() {
    PluginServices none = new PluginServices(timer, name -> null);
    none.start(List.of());
    assertThat(none.status()).isNull();
    PluginServices broken = new PluginServices(timer, name -> null);
    AgentServiceFactory f =
        c -> {
          throw new NoClassDefFoundError("org/eclipse/paho/Client");
        };
    broken.start(List.of(f));
    assertThat(broken.status()).hasSize(1).containsValue("failed: org/eclipse/paho/Client");
  }

  @Test
  void noRetryAfterClose() {
    AtomicInteger starts = new AtomicInteger();
    PluginServices services = new PluginServices(timer, name -> null);
    services.start(List.of(c -> List.of(service("s", starts, 99))));
    services.close();
    timer.runNext();
    assertThat(starts).hasValue(1);
  }
}
