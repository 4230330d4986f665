package io.outpost.agent;

import com.google.gson.JsonElement;
import io.outpost.agent.camera.Cameras;
import io.outpost.agent.commands.AgentControl;
import io.outpost.agent.commands.Builtins;
import io.outpost.agent.commands.CommandRouter;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.config.Redactor;
import io.outpost.agent.internal.DueInstant;
import io.outpost.agent.internal.Json;
import io.outpost.agent.internal.LogSafe;
import io.outpost.agent.outbox.Outbox;
import io.outpost.agent.outputs.Outputs;
import io.outpost.agent.plugins.LoadedPlugins;
import io.outpost.agent.plugins.PluginServices;
import io.outpost.agent.profiles.SensorSetup;
import io.outpost.agent.sampler.Batcher;
import io.outpost.agent.sampler.Sampler;
import io.outpost.agent.sampler.SenmlRecord;
import io.outpost.agent.sampler.TelemetryEnvelope;
import io.outpost.agent.status.Credential;
import io.outpost.agent.status.StatusSnapshot;
import io.outpost.agent.uplink.Link;
import io.outpost.agent.uplink.Uplink;
import io.outpost.log.Logger;
import io.outpost.plugin.CommandHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running agent: sampler → batcher → outbox → uplink → link, commands from the link through the
 * router back into the outbox, a status message on every connect and every {@code status.interval},
 * and the runtime status file for {@code outpost health}.
 *
 * <pre>{@code
 * SensorRegistry registry = new SensorRegistry(pluginFactories, new Outputs());
 * List<SensorSetup.Configured> sensors = SensorSetup.buildAll(profile, config, registry, clock);
 * try (Agent agent = Agent.start(config, sensors, registry.outputs(), link, Clock.systemUTC(), List.of())) {
 *   int exitCode = agent.awaitExit();
 * }
 * }</pre>
 */
public final class Agent implements AutoCloseable, AgentControl {
  private final AgentConfig config;
  private final Clock clock;
  private final Link link;
  private final Outbox outbox;
  private final Batcher batcher;
  private final Sampler sampler;
  private final Outputs outputs;
  private final CommandRouter router;
  private final Uplink uplink;
  private final ScheduledExecutorService timer;
  private final Instant startedAt;
  private final String version;
  // Read once: the OS and JVM do not change under a running agent.
  private final Map<String, Object> image = image();
  private final CountDownLatch exit = new CountDownLatch(1);
  private final AtomicInteger exitCode = new AtomicInteger(0);
  private volatile boolean stopped;

  private final List<AgentPluginContext.Subscription> pluginSubscriptions =
      AgentPluginContext.newSubscriptionList();
  private final PluginServices services;
  private final io.outpost.agent.outbox.LocalQueues queues;
  private final TelemetryEnvelope envelope;
  private final LoadedPlugins plugins;
  private final Cameras cameras;

  private Agent(
      AgentConfig config,
      List<SensorSetup.Configured> sensors,
      Outputs outputs,
      Link link,
      Clock clock,
      List<CommandHandler> extraHandlers,
      LoadedPlugins plugins,
      Cameras cameras)
      throws Outbox.OutboxException {
    this.plugins = plugins;
    this.cameras = cameras;
    this.outputs = outputs;
    this.config = config;
    this.clock = clock;
    this.link = link;
    this.version = io.outpost.agent.internal.Version.agent();
    this.startedAt = clock.instant();
    this.timer =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "agent-timer");
              t.setDaemon(true);
              return t;
            });
    this.outbox = Outbox.open(config.stateDir(), config.deviceId(), config.buffer(), clock);
    var t = config.telemetry();
    // The watchdog on the agent's timer; the batch timer on the sampler's thread, which wakes
    // anyway when readings come: a flush due with the next readings costs no wake-up of its own,
    // and it never waits for the batch's lock while a reading is added.
    this.sampler = new Sampler(sensors, clock, this::reported, timer);
    this.batcher =
        new Batcher(
            t.batchMaxRecords(),
            t.batchMaxDelay(),
            65_536,
            sampler.scheduler(),
            this::telemetry,
            sampler::dueNanos);
    this.envelope = new TelemetryEnvelope(config.deviceId());
    this.queues =
        new io.outpost.agent.outbox.LocalQueues(
            config.stateDir(), config.deviceId(), config.buffer().durable(), outbox, timer);
    this.services = new PluginServices(timer, this::pluginContext);
    Map<String, CommandHandler> handlers = new LinkedHashMap<>();
    List<CommandHandler> pluginHandlers = new java.util.ArrayList<>(extraHandlers);
    if (plugins != null) {
      List<String> problems = new java.util.ArrayList<>();
      pluginHandlers.addAll(plugins.createCommandHandlers(pluginContext(null), problems));
      problems.forEach(p -> Logger.error("plugin command handlers: {}", p));
    }
    pluginHandlers.addAll(
        cameras.commandHandlers(e -> outbox.appendEvent(Json.toJson(e).getAsJsonObject())));
    for (CommandHandler h : pluginHandlers) {
      handlers.put(h.name(), h);
    }
    // Built-ins win: a plugin cannot replace agent.restart, config.get or output.set.
    for (CommandHandler h : Builtins.all(this, outputs, clock, version)) {
      handlers.put(h.name(), h);
    }
    this.router =
        new CommandRouter(
            config.deviceId(),
            config.fleet(),
            config.commands(),
            outbox,
            handlers,
            clock,
            timer,
            config.network().maxMessagesPerSecond());
    this.uplink =
        new Uplink(outbox, link, clock, config.network().maxInFlight(), config.deviceId());
  }

  /**
   * Opens the outbox and starts every part.
   *
   * @param sensors created sensors (see {@link SensorSetup#buildAll}); the agent closes them
   * @param outputs the registry the {@code gpio-out} sensors among {@code sensors} were created
   *     with (see {@link io.outpost.agent.profiles.SensorRegistry#outputs()}): {@code output.set}
   *     switches them and status reports their states
   * @param link not yet started; the agent starts and closes it
   * @param extraHandlers plugin command handlers
   * @throws Outbox.OutboxException when the state directory is unusable
   */
  public static Agent start(
      AgentConfig config,
      List<SensorSetup.Configured> sensors,
      Outputs outputs,
      Link link,
      Clock clock,
      List<CommandHandler> extraHandlers)
      throws Outbox.OutboxException {
    Agent a = new Agent(config, sensors, outputs, link, clock, extraHandlers, null, Cameras.NONE);
    a.begin();
    return a;
  }

  /**
   * Same, with what the plugin loader found: plugin command handlers are registered next to the
   * built-ins and plugin services are started once the link exists. The agent closes {@code
   * plugins}.
   */
  public static Agent start(
      AgentConfig config,
      List<SensorSetup.Configured> sensors,
      Outputs outputs,
      Link link,
      Clock clock,
      LoadedPlugins plugins)
      throws Outbox.OutboxException {
    return start(config, sensors, outputs, link, clock, plugins, Cameras.NONE);
  }

  /**
   * Same, with the profile's cameras: {@code camera.snapshot} is registered and each camera's
   * service (scheduled snapshots, motion, detections) runs supervised next to the plugins'
   * services, its health being the camera's state in status. {@code plugins} may be null.
   */
  public static Agent start(
      AgentConfig config,
      List<SensorSetup.Configured> sensors,
      Outputs outputs,
      Link link,
      Clock clock,
      LoadedPlugins plugins,
      Cameras cameras)
      throws Outbox.OutboxException {
    Agent a = new Agent(config, sensors, outputs, link, clock, List.of(), plugins, cameras);
    a.begin();
    return a;
  }

  /**
   * A plugin's view of the agent. Its options are {@code plugins.config.<name>}, or all of {@code
   * plugins.config} for factories ({@code name} null), which pick their own section.
   */
  private AgentPluginContext pluginContext(String name) {
    Object section = name == null ? config.plugins().config() : config.plugins().config().get(name);
    @SuppressWarnings("unchecked")
    Map<String, Object> opts = section instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    io.outpost.plugin.Hardware hw = io.outpost.agent.hardware.Hardwares.real();
    return new AgentPluginContext(
        config.deviceId(),
        new io.outpost.plugin.Options(
            name == null ? "plugins.config" : "plugins.config." + name, opts),
        clock,
        timer,
        hw,
        outbox,
        link,
        pluginSubscriptions,
        queues,
        this::configSection,
        (prefix, handler) -> router.addPrefixHandler(prefix, handler));
  }

  /** A top-level section of the configuration owned by a service (e.g. {@code bridge}). */
  private io.outpost.plugin.Options configSection(String name) {
    if ("device".equals(name)) {
      // What "auto" and the defaults resolved to, not what the files said.
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("id", config.deviceId());
      d.put("fleet", config.fleet());
      return new io.outpost.plugin.Options("device", d);
    }
    Object section = config.resolved().get(name);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = section instanceof Map<?, ?> x ? (Map<String, Object>) x : Map.of();
    return new io.outpost.plugin.Options(config.originOf(name) + ": " + name, m);
  }

  private void begin() {
    Logger.info(
        "outpost agent {} starting: device {}, fleet {}, {} sensors, state in {}, stream {}",
        version,
        config.deviceId(),
        config.fleet(),
        sampler.size(),
        config.stateDir(),
        outbox.stream());
    uplink.start();
    link.start(
        new Link.Events() {
          @Override
          public void connected(String peerId, int maxMessageSize) {
            batcher.setMaxMessageSize(maxMessageSize);
            uplink.connected(maxMessageSize);
            publishStatus();
          }

          @Override
          public void disconnected(String why) {
            uplink.disconnected();
          }

          @Override
          public void message(String channel, String from, JsonElement data) {
            if (router.channels().contains(channel)) {
              router.onChannelMessage(channel, from, data);
            }
            AgentPluginContext.deliver(pluginSubscriptions, channel, data);
          }

          @Override
          public void direct(String from, JsonElement data) {
            router.onDirect(from, data);
            AgentPluginContext.deliverDirect(pluginSubscriptions, from, data);
          }
        });
    if (config.commands().enabled()) {
      router.channels().forEach(link::subscribe);
    }
    sampler.start();
    List<io.outpost.plugin.AgentServiceFactory> factories =
        new java.util.ArrayList<>(plugins == null ? List.of() : plugins.serviceFactories());
    if (!cameras.list().isEmpty()) {
      factories.add(context -> cameras.services());
    }
    services.start(factories);
    // The status file is written AFTER_READINGS after a tick of the sampler's grid, while what it
    // touches (the JVM's interpreter and runtime, the agent's data) is likely still warm in the
    // caches, rather than at an unrelated moment.
    Runnable statusFile = guard("status file", this::writeStatusFile);
    timer.execute(statusFile); // the first one now
    long fi = TimeUnit.MILLISECONDS.toNanos(config.status().fileInterval().toMillis());
    long tick = sampler.shortestIntervalNanos();
    long now = System.nanoTime();
    // The next such instant, within one file interval (sensors may tick less often than that).
    long first =
        tick == 0
            ? now + fi
            : now
                + Math.floorMod(
                    sampler.gridNanos() + AFTER_READINGS_NANOS - now, Math.min(tick, fi));
    ScheduledFuture<?> file =
        timer.scheduleAtFixedRate(statusFile, first - now, fi, TimeUnit.NANOSECONDS);
    // The executor's own instants (it adds its clock reading to the delay given), or just after:
    // a watchdog check placed there runs after the file's write, in its wake-up.
    long origin = DueInstant.notBefore(file);
    // The sampler's watchdog looks on them: with the file written at least once per read deadline
    // (5 s each by default) every check shares the file's wake-up instead of waking the timer on
    // its own. (Snapped to every tick's instant instead, it woke the timer 0.6 times a second
    // instead of 0.4, for about the same CPU.)
    sampler.alignWatchdog(origin, fi);
    long si = TimeUnit.MILLISECONDS.toNanos(config.status().interval().toMillis());
    timer.scheduleAtFixedRate(
        guard("status message", this::publishStatus),
        origin + si - System.nanoTime(),
        si,
        TimeUnit.NANOSECONDS);
    // At start, while the agent is busy starting anyway, then hourly. (A minute after start it
    // used to be the one wake-up of the first hour that loaded classes and ran SQLite.)
    timer.scheduleAtFixedRate(
        guard(
            "command results pruning",
            () -> outbox.pruneCommandResults(config.commands().rememberFor())),
        0,
        60,
        TimeUnit.MINUTES);
  }

  /** How long after a tick of the sampler's grid the agent's timer does its periodic work. */
  static final long AFTER_READINGS_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private static Runnable guard(String what, Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        Logger.error("{} failed: {}", what, e.toString());
      }
    };
  }

  private void reported(SenmlRecord r) {
    batcher.add(r);
  }

  private void telemetry(List<SenmlRecord> records) {
    // As text: no JSON tree built and serialised again per message (the same bytes).
    outbox.appendTelemetry(envelope.text(records));
  }

  private void publishStatus() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "status");
    s.putAll(snapshot().toMessage());
    outbox.appendEvent(Json.toJson(s).getAsJsonObject());
  }

  @Override
  public Map<String, Object> status() {
    Map<String, Object> s = snapshot().toMessage();
    Map<String, Object> details = services.details();
    if (!details.isEmpty()) {
      s.put("serviceStatus", details);
    }
    return s;
  }

  /** The agent's status now: what the status message, the status file and systemd are told. */
  public StatusSnapshot snapshot() {
    return snapshot(stopped ? "stopped" : "running");
  }

  /**
   * The one place the agent's status is gathered; the status message, the status file and {@code
   * outpost health} all read this.
   */
  private StatusSnapshot snapshot(String state) {
    Map<String, Object> bufferReport = outbox.stats();
    Map<String, Object> linkReport = link.status();
    long lastAck = uplink.lastAckMillis();
    Map<String, Object> serviceStates = services.status();
    Map<String, String> services = null;
    if (serviceStates != null) {
      services = new LinkedHashMap<>();
      for (var e : serviceStates.entrySet()) {
        services.put(e.getKey(), String.valueOf(e.getValue()));
      }
    }
    Instant last = sampler.lastReadAt();
    Object connectedAt = linkReport.get("connectedAt");
    return new StatusSnapshot(
        state,
        clock.instant(),
        Math.max(15_000, 3 * config.status().fileInterval().toMillis()),
        ProcessHandle.current().pid(),
        config.deviceId(),
        config.fleet(),
        version,
        startedAt,
        new StatusSnapshot.Sampling(sampler.size(), last, samplingWindowMillis()),
        new StatusSnapshot.Store(
            outbox.pendingMessages(), outbox.writable(), (String) bufferReport.get("lastError")),
        new StatusSnapshot.LinkState(
            String.valueOf(linkReport.get("state")),
            link.connected(),
            connectedAt == null ? null : connectedAt(connectedAt.toString())),
        new StatusSnapshot.UplinkState(lastAck > 0 ? Instant.ofEpochMilli(lastAck) : null),
        config.status().interval().toMillis() * 2 + config.network().ackTimeout().toMillis(),
        services,
        Credential.problem(config.network().token()),
        new StatusSnapshot.Report(
            image,
            config.metadata(),
            bufferReport,
            linkReport,
            uplink.stats(),
            sampler.status(),
            outputs.states(),
            router.stats()));
  }

  /** The link's connect time as text and as parsed, kept between snapshots. */
  private record ParsedInstant(String text, Instant instant) {}

  private volatile ParsedInstant connectedAt;

  /**
   * The link reports its connect time as text; it changes once per connection, while a snapshot is
   * taken every few seconds, and parsing an ISO instant runs a formatter's worth of code.
   */
  private Instant connectedAt(String text) {
    ParsedInstant last = connectedAt;
    if (last == null || !last.text().equals(text)) {
      last = new ParsedInstant(text, Instant.parse(text));
      connectedAt = last;
    }
    return last.instant();
  }

  private static Map<String, Object> image() {
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          m.put("os", line.substring(12).replace("\"", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not every system has os-release; status just says less.
    }
    m.put("kernel", System.getProperty("os.version"));
    m.put("arch", System.getProperty("os.arch"));
    m.put("java", System.getProperty("java.version"));
    return m;
  }

  private void writeStatusFile() {
    writeStatusFile(stopped ? "stopped" : "running");
  }

  private void writeStatusFile(String state) {
    try {
      snapshot(state).write(config.status().file());
    } catch (IOException e) {
      Logger.warn("cannot write status file {}: {}", config.status().file(), e.getMessage());
    }
  }

  /**
   * Some sensor read should succeed at least this often: three of the slowest intervals, at least
   * 30 s.
   */
  private long samplingWindowMillis() {
    return Math.max(
        30_000,
        3 * sampler.slowestInterval().toMillis() + config.telemetry().readTimeout().toMillis());
  }

  @Override
  public List<Object> sampleNow() {
    return sampler.sampleNow();
  }

  @Override
  public Map<String, Object> redactedConfig() {
    return Redactor.redact(config.resolved());
  }

  @Override
  public Map<String, Object> bufferStats() {
    return outbox.stats();
  }

  @Override
  public void restart(String commandId, String reason) {
    Logger.warn("restart requested: {}", LogSafe.of(reason));
    Thread t =
        new Thread(
            () -> {
              // The result is stored once it is queued; then give it a chance to leave the device.
              long until = clock.millis() + 2_000;
              while (outbox.commandResult(commandId).isEmpty() && clock.millis() < until) {
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
              uplink.awaitDrained(5_000);
              stop(Builtins.RESTART_EXIT_CODE);
            },
            "agent-restart");
    t.setDaemon(true);
    t.start();
  }

  /** Asks {@link #awaitExit()} to return {@code code}; the first request wins. */
  public void stop(int code) {
    if (exit.getCount() > 0) {
      exitCode.compareAndSet(0, code);
      exit.countDown();
    }
  }

  /** Blocks until {@link #stop} (or a restart command); returns the exit code. */
  public int awaitExit() throws InterruptedException {
    exit.await();
    return exitCode.get();
  }

  /**
   * The agent's one timer thread, for light periodic work that lives next to the agent (systemd
   * notifications): tasks must not block. Shut down by {@link #close()}.
   */
  public ScheduledExecutorService timer() {
    return timer;
  }

  /** The outbox, for tests and benchmarks. */
  public Outbox outbox() {
    return outbox;
  }

  /**
   * Stops sampling, flushes the last batch into the outbox, closes the link and the store (in that
   * order, so nothing measured is lost), and marks the status file stopped. Idempotent.
   */
  @Override
  public void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    stop(0);
    sampler.close();
    batcher.flush();
    services.close();
    queues.close();
    router.close();
    uplink.close();
    link.close();
    timer.shutdownNow();
    outbox.close(Duration.ofSeconds(5));
    writeStatusFile("stopped");
    if (plugins != null) {
      plugins.close();
    }
    Logger.info("outpost agent stopped");
  }
}
