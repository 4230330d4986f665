package io.outpost.agent.plugins;

import io.outpost.agent.internal.Backoff;
import io.outpost.log.Logger;
import io.outpost.plugin.AgentService;
import io.outpost.plugin.AgentServiceFactory;
import io.outpost.plugin.PluginContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs the plugins' services: creates them from their factories, starts each one and, when a start
 * fails, retries it with the agent's {@link Backoff} (30 s doubling to 10 min) on the agent's
 * timer, never fatal to the agent. Reports each service's health word for status and closes them on
 * shutdown.
 *
 * <pre>{@code
 * PluginServices services = new PluginServices(timer, name -> contextFor(name));
 * services.start(loaded.serviceFactories());
 * Map<String, Object> health = services.status(); // null when there are none
 * services.close();
 * }</pre>
 */
public final class PluginServices implements AutoCloseable {
  static final Duration FIRST_RETRY = Duration.ofSeconds(30);
  static final Duration MAX_RETRY = Duration.ofMinutes(10);

  private final ScheduledExecutorService timer;
  private final Function<String, PluginContext> contexts;
  private final List<AgentService> services = new CopyOnWriteArrayList<>();
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param timer runs the retries; never blocked for long (a start runs on it)
   * @param contexts the context for a service by its name, or for factories with {@code null}
   */
  public PluginServices(ScheduledExecutorService timer, Function<String, PluginContext> contexts) {
    this.timer = timer;
    this.contexts = contexts;
  }

  /** Creates and starts every factory's services; a failing factory is reported in status. */
  public void start(List<AgentServiceFactory> factories) {
    for (AgentServiceFactory f : factories) {
      String name = f.getClass().getSimpleName();
      try {
        for (AgentService s : f.create(contexts.apply(null))) {
          services.add(s);
          start(s, new Backoff(FIRST_RETRY, MAX_RETRY));
        }
      } catch (Exception | LinkageError e) {
        failures.put(name, "failed: " + e.getMessage());
        Logger.error("plugin service factory {} failed: {}", name, e.toString());
      }
    }
  }

  private void start(AgentService s, Backoff backoff) {
    if (closed) {
      return;
    }
    try {
      s.start(contexts.apply(s.name()));
      failures.remove(s.name());
      Logger.info("plugin service {} started", s.name());
    } catch (Exception | LinkageError e) {
      Duration delay = backoff.fail();
      failures.put(s.name(), "failed: " + e.getMessage());
      Logger.error(
          "plugin service {} failed to start: {}; retrying in {} s",
          s.name(),
          e.toString(),
          delay.toSeconds());
      timer.schedule(() -> start(s, backoff), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Each service's health word ({@code "failed: …"} while failing), or null without services. */
  public Map<String, Object> status() {
    if (services.isEmpty() && failures.isEmpty()) {
      return null;
    }
    Map<String, Object> sv = new LinkedHashMap<>();
    for (AgentService svc : services) {
      String h;
      try {
        h = failures.getOrDefault(svc.name(), svc.health());
      } catch (RuntimeException | LinkageError e) {
        h = "failed: " + e.getMessage();
      }
      sv.put(svc.name(), h);
    }
    failures.forEach(sv::putIfAbsent);
    return sv;
  }

  /**
   * {@code name → AgentService#status()} for the services that report details (the bridge's rule
   * counters and broker link), for the status message.
   */
  public Map<String, Object> details() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (AgentService svc : services) {
      try {
        Map<String, Object> d = svc.status();
        if (d != null && !d.isEmpty()) {
          out.put(svc.name(), d);
        }
      } catch (RuntimeException | LinkageError e) {
        out.put(svc.name(), Map.of("error", String.valueOf(e.getMessage())));
      }
    }
    return out;
  }

  /** Closes every service; a failing close is logged. */
  @Override
  public void close() {
    closed = true;
    for (AgentService svc : new ArrayList<>(services)) {
      try {
        svc.close();
      } catch (Exception | LinkageError e) {
        Logger.warn("plugin service {} did not close cleanly: {}", svc.name(), e.toString());
      }
    }
  }
}
