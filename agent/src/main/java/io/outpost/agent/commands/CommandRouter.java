package io.outpost.agent.commands;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.agent.config.AgentConfig;
import io.outpost.agent.internal.Json;
import io.outpost.agent.internal.LogSafe;
import io.outpost.agent.outbox.Outbox;
import io.outpost.plugin.Command;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tinylog.Logger;

/**
 * Receives command messages (architecture.md §5). On the receiving thread only the sender is
 * checked ({@code commands.allowFrom}): refusals of other senders are answered once per sender and
 * {@link #REFUSAL_INTERVAL} and otherwise counted and summarised ({@link Refusals}); commands from
 * allowed senders wait in the command path's own bounded queue ({@link CommandIntake}, {@link
 * #INTAKE_CAPACITY}), which hands them on at the pace their results may use ({@link #COMMAND_SHARE}
 * of {@code network.maxMessagesPerSecond}). Then, in this order: size, signature, shape, target,
 * duplicate id, name (well-formed), expiry, name ({@code commands.allow}), handler. Runs accepted
 * commands on a bounded worker pool with a per-command timeout and publishes every result through
 * the outbox ({@code devices/<id>/events}, plus a direct message to the sender when the command
 * came as one). Results are remembered by id so a repeat is answered, not run. Never throws to its
 * caller: bad input yields a result or a log line, and every value from the network is logged
 * through {@link LogSafe}. Thread-safe.
 */
public final class CommandRouter implements AutoCloseable {
  /** Commands from allowed senders waiting to be processed, at most. */
  public static final int INTAKE_CAPACITY = 100;

  /** The share of {@code network.maxMessagesPerSecond} command results may use. */
  public static final double COMMAND_SHARE = 0.25;

  /** Refusals per sender and reason are answered once per interval, then summarised. */
  public static final Duration REFUSAL_INTERVAL = Duration.ofSeconds(10);

  /** Longest command name, in characters. */
  public static final int MAX_NAME = 128;

  private final String deviceId;
  private final String fleetChannel;
  private final List<String> channels;
  private final AgentConfig.Commands config;
  private final Outbox outbox;
  private final Map<String, CommandHandler> handlers;
  private final JwsVerifier verifier;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor workers;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Map<String, CommandHandler> prefixHandlers = new ConcurrentHashMap<>();
  private final CommandIntake intake;
  private final Refusals refusals;

  /** With the default uplink rate (50 messages a second). */
  public CommandRouter(
      String deviceId,
      String fleet,
      AgentConfig.Commands config,
      Outbox outbox,
      Map<String, CommandHandler> handlers,
      Clock clock,
      ScheduledExecutorService timer) {
    this(deviceId, fleet, config, outbox, handlers, clock, timer, 50);
  }

  /**
   * @param handlers by name; built-ins and plugin handlers alike
   * @param timer paces the command queue and enforces {@code commands.timeout}; shared, never
   *     blocked for long
   * @param uplinkPerSecond {@code network.maxMessagesPerSecond}; command results use at most {@link
   *     #COMMAND_SHARE} of it
   */
  public CommandRouter(
      String deviceId,
      String fleet,
      AgentConfig.Commands config,
      Outbox outbox,
      Map<String, CommandHandler> handlers,
      Clock clock,
      ScheduledExecutorService timer,
      double uplinkPerSecond) {
    this.deviceId = deviceId;
    this.fleetChannel = "fleets/" + fleet + "/commands";
    this.channels = List.of(fleetChannel, "devices/" + deviceId + "/commands");
    this.config = config;
    this.outbox = outbox;
    this.handlers = Map.copyOf(handlers);
    this.verifier = new JwsVerifier(config.signing());
    this.clock = clock;
    this.timer = timer;
    this.workers =
        new ThreadPoolExecutor(
            config.concurrency(),
            config.concurrency(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(Math.max(1, config.queue())),
            r -> {
              Thread t = new Thread(r, "command-worker");
              t.setDaemon(true);
              return t;
            });
    workers.allowCoreThreadTimeOut(true);
    this.intake =
        new CommandIntake(
            INTAKE_CAPACITY, uplinkPerSecond * COMMAND_SHARE, timer, this::processQuietly);
    this.refusals = new Refusals(REFUSAL_INTERVAL, 64, timer);
  }

  /**
   * Runs every command whose name starts with {@code prefix} (and has no handler of its own) on
   * {@code handler}: how a service such as the MQTT bridge takes a family of commands. The first
   * registration of a prefix wins.
   */
  public void addPrefixHandler(String prefix, CommandHandler handler) {
    prefixHandlers.putIfAbsent(prefix, handler);
  }

  private CommandHandler handlerFor(String name) {
    CommandHandler h = handlers.get(name);
    if (h != null) {
      return h;
    }
    String best = null;
    for (String p : prefixHandlers.keySet()) {
      if (name.startsWith(p) && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return best == null ? null : prefixHandlers.get(best);
  }

  /** The channels commands arrive on. */
  public List<String> channels() {
    return channels;
  }

  /** A message on a command channel. */
  public void onChannelMessage(String channel, String from, JsonElement data) {
    handle(data, from, fleetChannel.equals(channel), false);
  }

  /** A direct message to this device. */
  public void onDirect(String from, JsonElement data) {
    handle(data, from, false, true);
  }

  /** On the receiving thread: only the sender check and the bounded queue; never blocks. */
  private void handle(JsonElement data, String from, boolean fleet, boolean direct) {
    try {
      if (!Glob.anyMatches(config.allowFrom(), from)) {
        refuse(
            data,
            from,
            direct,
            "unauthorized",
            "sender \"" + from + "\" is not allowed (commands.allowFrom)");
      } else if (!intake.offer(new CommandIntake.Incoming(data, from, fleet, direct))) {
        refuse(
            data,
            from,
            direct,
            "busy",
            "too many commands waiting (at most " + INTAKE_CAPACITY + " are queued)");
      }
    } catch (RuntimeException e) {
      Logger.error("command from {} could not be handled: {}", LogSafe.of(from), LogSafe.of(e));
    }
  }

  /**
   * A command refused before it is looked at: answered (result and log line) only when it is the
   * first from this sender for this reason in {@link #REFUSAL_INTERVAL}; otherwise counted.
   */
  private void refuse(JsonElement data, String from, boolean direct, String code, String message) {
    if (!refusals.first(from, code)) {
      return;
    }
    String id = idOf(data);
    if (id == null || id.isEmpty() || id.length() > 128) {
      Logger.warn(
          "ignored a command from {} without a usable id: {}",
          LogSafe.of(from),
          LogSafe.of(message));
      return;
    }
    String name =
        data.getAsJsonObject().has("name") ? string(data.getAsJsonObject(), "name") : null;
    respond(
        id, name, from, direct ? from : null, CommandResult.rejected(code, message), false, false);
  }

  private void processQuietly(CommandIntake.Incoming in) {
    try {
      route(in.data(), in.from(), in.fleet(), in.direct());
    } catch (RuntimeException e) {
      Logger.error(
          "command from {} could not be handled: {}", LogSafe.of(in.from()), LogSafe.of(e));
    }
  }

  private void route(JsonElement data, String from, boolean fleet, boolean direct) {
    String replyTo = direct ? from : null;
    int size = Json.write(data).getBytes(StandardCharsets.UTF_8).length;
    JsonObject cmd;
    boolean signed = false;
    String compact = compactJws(data);
    if (size > config.maxBytes()) {
      String id = idOf(data);
      if (id == null) {
        Logger.warn(
            "ignored a {}-byte message from {}: larger than commands.maxBytes {} and without an id",
            size,
            LogSafe.of(from),
            config.maxBytes());
      } else {
        respond(
            id,
            null,
            from,
            replyTo,
            CommandResult.rejected(
                "too_large",
                "command is "
                    + size
                    + " bytes, larger than commands.maxBytes "
                    + config.maxBytes()),
            false,
            false);
      }
      return;
    }
    if (compact != null) {
      try {
        cmd = verifier.verify(compact);
        signed = true;
      } catch (JwsVerifier.InvalidSignatureException e) {
        String id = idOf(data);
        if (id == null) {
          Logger.warn(
              "ignored a signed command from {}: {}", LogSafe.of(from), LogSafe.of(e.getMessage()));
        } else {
          respond(
              id,
              null,
              from,
              replyTo,
              CommandResult.rejected("bad_signature", e.getMessage()),
              false,
              false);
        }
        return;
      }
    } else if (data.isJsonObject()) {
      cmd = data.getAsJsonObject();
    } else {
      Logger.warn(
          "ignored a message from {} that is not a JSON object: {}",
          LogSafe.of(from),
          LogSafe.of(abbreviate(data)));
      return;
    }
    JsonElement type = cmd.get("type");
    if (type != null && !(type.isJsonPrimitive() && "command".equals(type.getAsString()))) {
      Logger.debug(
          "ignored a {} message from {} on a command channel",
          LogSafe.of(abbreviate(type)),
          LogSafe.of(from));
      return;
    }
    String id = string(cmd, "id");
    if (id == null || id.isEmpty() || id.length() > 128) {
      Logger.warn(
          "ignored a command from {} without a usable id (a string of 1..128 characters): {}",
          LogSafe.of(from),
          LogSafe.of(abbreviate(cmd)));
      return;
    }
    String name = string(cmd, "name");
    // Target first: a fleet command meant for other devices is none of our business, not even an
    // error.
    JsonElement target = cmd.get("target");
    if (target != null && !target.isJsonNull()) {
      Boolean forUs = targets(target);
      if (forUs == null) {
        respond(
            id,
            name,
            from,
            replyTo,
            CommandResult.rejected(
                "invalid_command", "target must be \"*\" or a list of device ids"),
            false,
            false);
        return;
      }
      if (!forUs) {
        return;
      }
    } else if (fleet) {
      Logger.debug("fleet command {} has no target; treated as \"*\"", LogSafe.of(id));
    }
    if (config.requireSignature() && !signed) {
      respond(
          id,
          name,
          from,
          replyTo,
          CommandResult.rejected(
              "signature_required", "this device accepts only signed commands (compact JWS)"),
          false,
          false);
      return;
    }
    var stored = outbox.commandResult(id);
    if (stored.isPresent()) {
      JsonObject again = Json.parse(stored.get()).getAsJsonObject();
      again.addProperty("duplicate", true);
      publish(again, replyTo);
      return;
    }
    if (!running.add(id)) {
      Logger.debug("command {} is already running; repeat ignored", LogSafe.of(id));
      return;
    }
    boolean handedOff = false;
    try {
      String badName = nameProblem(name);
      if (badName != null) {
        respond(
            id,
            name,
            from,
            replyTo,
            CommandResult.rejected("invalid_command", badName),
            true,
            true);
        return;
      }
      JsonElement exp = cmd.get("expiresAt");
      if (exp != null && !exp.isJsonNull()) {
        BigDecimal expiresAt = epochMillis(exp);
        if (expiresAt == null) {
          respond(
              id,
              name,
              from,
              replyTo,
              CommandResult.rejected(
                  "invalid_command", "expiresAt must be a number (epoch milliseconds)"),
              true,
              true);
          return;
        }
        // Compared exactly: 1e300 is far in the future, not a long that wrapped around.
        if (BigDecimal.valueOf(clock.millis()).compareTo(expiresAt) > 0) {
          respond(
              id,
              name,
              from,
              replyTo,
              new CommandResult(
                  CommandResult.Status.EXPIRED, null, "expired", "expired at " + when(expiresAt)),
              true,
              true);
          return;
        }
      }
      if (!Glob.anyMatches(config.allow(), name)) {
        respond(
            id,
            name,
            from,
            replyTo,
            CommandResult.rejected(
                "not_allowed", "command \"" + name + "\" is not in commands.allow"),
            true,
            true);
        return;
      }
      CommandHandler handler = handlerFor(name);
      if (handler == null) {
        respond(
            id,
            name,
            from,
            replyTo,
            new CommandResult(
                CommandResult.Status.UNKNOWN_COMMAND,
                null,
                "unknown_command",
                "no command named \"" + name + "\""),
            true,
            true);
        return;
      }
      JsonElement args = cmd.get("args");
      if (args != null && !args.isJsonNull() && !args.isJsonObject()) {
        respond(
            id,
            name,
            from,
            replyTo,
            CommandResult.rejected("invalid_args", "args must be an object"),
            true,
            true);
        return;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> argMap =
          args == null || args.isJsonNull() ? Map.of() : (Map<String, Object>) Json.toJava(args);
      Instant deadline = clock.instant().plus(config.timeout());
      Command command =
          new Command(
              id,
              name,
              new Options("command " + id + " (" + name + "): args", argMap),
              from,
              deadline);
      run(handler, command, replyTo);
      handedOff = true;
    } finally {
      if (!handedOff) {
        running.remove(id);
      }
    }
  }

  private void run(CommandHandler handler, Command c, String replyTo) {
    AtomicBoolean done = new AtomicBoolean();
    Future<?> f;
    try {
      f =
          workers.submit(
              () -> {
                CommandResult r;
                try {
                  r = handler.handle(c);
                  if (r == null) {
                    r = CommandResult.failed("handler_error", "handler returned no result");
                  }
                } catch (ConfigException e) {
                  r = CommandResult.rejected("invalid_args", e.getMessage());
                } catch (InterruptedException e) {
                  return;
                } catch (Exception | LinkageError e) {
                  r =
                      CommandResult.failed(
                          "handler_error",
                          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                }
                if (done.compareAndSet(false, true)) {
                  finish(c, replyTo, r);
                }
              });
    } catch (RejectedExecutionException e) {
      running.remove(c.id());
      respond(
          c.id(),
          c.name(),
          c.from(),
          replyTo,
          CommandResult.rejected(
              "busy",
              "too many commands waiting (commands.concurrency "
                  + config.concurrency()
                  + ", commands.queue "
                  + config.queue()
                  + ")"),
          false,
          false);
      return;
    }
    timer.schedule(
        () -> {
          if (done.compareAndSet(false, true)) {
            f.cancel(true);
            finish(
                c,
                replyTo,
                CommandResult.failed(
                    "timeout",
                    "no result within " + config.timeout().toMillis() + "ms (commands.timeout)"));
          }
        },
        config.timeout().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void finish(Command c, String replyTo, CommandResult r) {
    try {
      respond(c.id(), c.name(), c.from(), replyTo, r, true, false);
    } finally {
      running.remove(c.id());
    }
  }

  private void respond(
      String id,
      String name,
      String from,
      String replyTo,
      CommandResult r,
      boolean remember,
      boolean releaseRunning) {
    JsonObject msg = new JsonObject();
    msg.addProperty("type", "command.result");
    msg.addProperty("id", id);
    msg.addProperty("device", deviceId);
    if (name != null) {
      msg.addProperty("name", name);
    }
    msg.addProperty("status", r.status().wireName());
    if (r.result() != null) {
      msg.add("result", Json.toJson(r.result()));
    }
    if (r.errorCode() != null || r.errorMessage() != null) {
      JsonObject err = new JsonObject();
      err.addProperty("code", r.errorCode());
      err.addProperty("message", r.errorMessage());
      msg.add("error", err);
    }
    Logger.info(
        "command {} ({}) from {}: {}{}",
        LogSafe.of(id),
        LogSafe.of(name),
        LogSafe.of(from),
        r.status().wireName(),
        r.errorMessage() == null ? "" : " (" + LogSafe.of(r.errorMessage()) + ")");
    // Queued first, remembered second: whoever sees the stored result knows the message is queued.
    publish(msg, replyTo);
    if (remember) {
      outbox.putCommandResult(id, Json.write(msg));
    }
    if (releaseRunning) {
      running.remove(id);
    }
  }

  private void publish(JsonObject msg, String replyTo) {
    outbox.appendEvent(msg);
    if (replyTo != null) {
      outbox.appendDirect(replyTo, msg);
    }
  }

  /** True: for this device; false: for others; null: malformed. */
  private Boolean targets(JsonElement t) {
    if (t.isJsonPrimitive() && t.getAsJsonPrimitive().isString()) {
      String s = t.getAsString();
      return "*".equals(s) ? Boolean.TRUE : null;
    }
    if (!t.isJsonArray()) {
      return null;
    }
    for (JsonElement e : t.getAsJsonArray()) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        return null;
      }
      if (e.getAsString().equals(deviceId) || "*".equals(e.getAsString())) {
        return true;
      }
    }
    return false;
  }

  private static String compactJws(JsonElement data) {
    if (data.isJsonPrimitive()
        && data.getAsJsonPrimitive().isString()
        && JwsVerifier.looksLikeJws(data.getAsString())) {
      return data.getAsString();
    }
    if (data.isJsonObject()) {
      String jws = string(data.getAsJsonObject(), "jws");
      if (jws != null) {
        return jws;
      }
    }
    return null;
  }

  /** Why {@code name} is not a usable command name, or null when it is. */
  static String nameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "name must be a non-empty string";
    }
    if (name.length() > MAX_NAME) {
      return "name must be at most " + MAX_NAME + " characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)
          || Character.getType(c) == Character.LINE_SEPARATOR
          || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
          || Character.getType(c) == Character.FORMAT) {
        return "name must not contain control or format characters (found U+"
            + String.format("%04X", (int) c)
            + " at "
            + i
            + ")";
      }
    }
    return null;
  }

  /**
   * {@code expiresAt} as an exact number of epoch milliseconds, or null when it is not a number.
   */
  private static BigDecimal epochMillis(JsonElement exp) {
    if (!exp.isJsonPrimitive() || !exp.getAsJsonPrimitive().isNumber()) {
      return null;
    }
    try {
      return new BigDecimal(exp.getAsJsonPrimitive().getAsString());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String when(BigDecimal epochMillis) {
    try {
      return Instant.ofEpochMilli(epochMillis.longValueExact()).toString();
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return epochMillis.toPlainString().length() > 40
          ? epochMillis.toString()
          : epochMillis.toPlainString() + " ms";
    }
  }

  private static String idOf(JsonElement data) {
    return data.isJsonObject() ? string(data.getAsJsonObject(), "id") : null;
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
        ? e.getAsString()
        : null;
  }

  private static String abbreviate(Object o) {
    String s = String.valueOf(o);
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }

  /** Stops accepting work; queued commands are dropped, running handlers are interrupted. */
  @Override
  public void close() {
    intake.close();
    workers.shutdownNow();
  }

  /** For status: how many commands run now. */
  public Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("running", running.size());
    m.put("queued", workers.getQueue().size() + intake.queued());
    m.put("refusedUnanswered", refusals.suppressed());
    m.put("completed", workers.getCompletedTaskCount());
    return m;
  }
}
