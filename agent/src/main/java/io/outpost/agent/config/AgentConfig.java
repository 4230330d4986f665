package io.outpost.agent.config;

import io.outpost.realtime.RealtimeConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The resolved, validated agent configuration (docs/configuration.md describes every key). Built by
 * {@link ConfigLoader}; immutable.
 *
 * @param deviceId the device id (after resolving {@code "auto"}); also the peerId
 * @param fleet the fleet id; commands arrive on {@code fleets/<fleet>/commands}
 * @param metadata free-form device metadata, published in status
 * @param profile a bundled profile name or a path to a profile file
 * @param sensorOverrides per-sensor option overrides by sensor name
 * @param stateDir where the outbox, the stream id and command results live
 * @param configDir directory of the main config file; relative paths resolve against it
 * @param resolved the merged configuration tree as plain JSON-like values (for printing)
 * @param origins for each dotted key, the file or variable that set it last ({@code ""}: the main
 *     file)
 */
public record AgentConfig(
    String deviceId,
    String fleet,
    Map<String, Object> metadata,
    Network network,
    String profile,
    Map<String, Map<String, Object>> sensorOverrides,
    Path stateDir,
    Telemetry telemetry,
    Commands commands,
    Buffer buffer,
    Status status,
    Log log,
    Plugins plugins,
    Path configDir,
    Map<String, Object> resolved,
    Map<String, String> origins) {

  /**
   * The file or environment variable that set {@code path} (or its nearest parent), for messages.
   */
  public String originOf(String path) {
    return nearestOrigin(origins, path, origins.getOrDefault("", ""));
  }

  /**
   * The origin of {@code path} or of its nearest parent ({@code a.b.c}, then {@code a.b}, then
   * {@code a}) in {@code origins}; {@code fallback} when none has one.
   */
  static String nearestOrigin(Map<String, String> origins, String path, String fallback) {
    String p = path;
    while (true) {
      String o = origins.get(p);
      if (o != null) {
        return o;
      }
      int dot = p.lastIndexOf('.');
      if (dot < 0) {
        return fallback;
      }
      p = p.substring(0, dot);
    }
  }

  /**
   * {@code network.*}. {@code url} is the origin; the client appends {@code /v1}.
   *
   * @param token null when not configured (allowed only where no network is needed)
   * @param client the realtime client's configuration built from these keys by the loader, with
   *     every rule of the client already applied; the uplink only attaches the token fetcher
   *     ({@code toBuilder().tokenProvider(…)}) unless {@code token} is a publishable key. Null only
   *     in a configuration that failed to load.
   */
  public record Network(
      URI url,
      TokenSource token,
      double maxMessagesPerSecond,
      int maxInFlight,
      Duration ackTimeout,
      Duration reconnectMaxDelay,
      RealtimeConfig client) {}

  /**
   * {@code telemetry.*}: batching and the default report-by-exception rules.
   *
   * @param deadband absolute change needed to report (ignored when {@code deadbandPercent} is set)
   * @param deadbandPercent relative change in percent of the last reported value, or NaN
   */
  public record Telemetry(
      int batchMaxRecords,
      Duration batchMaxDelay,
      double deadband,
      double deadbandPercent,
      Duration minInterval,
      Duration maxInterval,
      Duration readTimeout) {}

  /**
   * {@code commands.*}.
   *
   * @param keys {@code commands.keys} as written (for printing, redacted)
   * @param signing the same keys decoded once by the loader; what the signature verifier uses
   */
  public record Commands(
      boolean enabled,
      List<String> allow,
      List<String> allowFrom,
      boolean requireSignature,
      Map<String, Map<String, Object>> keys,
      int concurrency,
      int queue,
      Duration timeout,
      long maxBytes,
      Duration rememberFor,
      SigningKeys signing) {

    /**
     * Commands whose keys are decoded here (tests and tools that build a configuration directly).
     *
     * @throws IllegalArgumentException when a key cannot be decoded
     */
    public Commands(
        boolean enabled,
        List<String> allow,
        List<String> allowFrom,
        boolean requireSignature,
        Map<String, Map<String, Object>> keys,
        int concurrency,
        int queue,
        Duration timeout,
        long maxBytes,
        Duration rememberFor) {
      this(
          enabled,
          allow,
          allowFrom,
          requireSignature,
          keys,
          concurrency,
          queue,
          timeout,
          maxBytes,
          rememberFor,
          SigningKeys.of(keys));
    }
  }

  /**
   * {@code buffer.*}. {@code durable} false keeps the outbox in memory only. {@code writeDelay} is
   * how long a message may wait for its ack before it is written to the store (zero: at once).
   */
  public record Buffer(
      boolean durable,
      long maxBytes,
      Duration maxAge,
      Duration commitInterval,
      String telemetryOverflow,
      String eventsOverflow,
      Duration writeDelay) {
    /** Without a write delay: every message is written at once. */
    public Buffer(
        boolean durable,
        long maxBytes,
        Duration maxAge,
        Duration commitInterval,
        String telemetryOverflow,
        String eventsOverflow) {
      this(
          durable,
          maxBytes,
          maxAge,
          commitInterval,
          telemetryOverflow,
          eventsOverflow,
          Duration.ZERO);
    }
  }

  /** {@code status.*}. */
  public record Status(Duration interval, Path file, Duration fileInterval) {}

  /** {@code log.*}. {@code file} null means standard output (journald on a device). */
  public record Log(String level, Path file) {}

  /** {@code plugins.*}. */
  public record Plugins(List<Path> dirs, Map<String, Object> config) {}

  /** The channel this device publishes everything to. */
  public String eventsChannel() {
    return "devices/" + deviceId + "/events";
  }
}
