package io.outpost.agent.camera;

import io.outpost.agent.config.Problems;
import io.outpost.agent.drivers.DriverOption;
import io.outpost.agent.drivers.DriverOptions;
import io.outpost.plugin.AgentService;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.ConfigException;
import io.outpost.plugin.Options;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The profile's {@code "cameras"} section: each entry becomes a {@link CameraSettings}, a frame
 * source ({@code rpicam} or {@code simulated}) and a {@link CameraService.Plan}. The options are
 * declared once below, in the same form as the drivers' options, and checked with the same code, so
 * problems name the profile file, the entry and the key.
 *
 * <pre>{@code
 * Cameras cameras = Cameras.build(profile.json().get("cameras"), profile.source(), clock, problems);
 * CommandHandler snapshot = cameras.snapshotCommand(event -> outbox.appendEvent(...));
 * List<AgentService> services = cameras.services();
 * }</pre>
 */
public final class Cameras {
  /** No cameras: what a profile without a {@code "cameras"} section gets. */
  public static final Cameras NONE = new Cameras(List.of(), Attachments.DEFAULT_MAX_DATA_CHARS);

  static final DriverOptions OPTIONS =
      DriverOptions.of(
          DriverOption.choice(
              "type", null, List.of("rpicam", "simulated"), "where pictures come from"),
          DriverOption.string(
              "tool",
              "auto",
              "",
              null,
              v -> "",
              "`rpicam-still`, `libcamera-still`, a path, or `auto` (the first of the two found)"),
          DriverOption.integer("index", 0, 0, 15, "camera index for `--camera`"),
          DriverOption.integer("width", 1280, 16, 4056, "default snapshot width"),
          DriverOption.integer("height", 720, 16, 3040, "default snapshot height"),
          DriverOption.integer("quality", 85, 1, 100, "default JPEG quality"),
          DriverOption.oneOfIntegers("rotation", 0, List.of(0L, 180L), "", "`--rotation`"),
          DriverOption.bool("hflip", false, null, "mirror left-right"),
          DriverOption.bool("vflip", false, null, "mirror top-bottom"),
          DriverOption.duration(
              "timeout", Duration.ofSeconds(10), Duration.ofMinutes(1), "longest capture"),
          DriverOption.integer("maxWidth", 4056, 16, 4056, "largest width a command may ask for"),
          DriverOption.integer("maxHeight", 3040, 16, 3040, "largest height a command may ask for"),
          DriverOption.duration(
              "snapshotInterval",
              Duration.ZERO,
              Duration.ofDays(1),
              "scheduled `camera.snapshot` events; 0 is off"),
          DriverOption.integer(
              "offlineBudget",
              8L << 20,
              0,
              1L << 30,
              "bytes of pictures queued while offline before scheduled snapshots and thumbnails"
                  + " are skipped"),
          DriverOption.object("motion", false, "motion detection; absent is off"),
          DriverOption.object("detections", false, "AI-camera detections over UDP; absent is off"));

  static final DriverOptions MOTION =
      DriverOptions.of(
          DriverOption.duration(
              "interval", Duration.ofSeconds(1), Duration.ofMinutes(10), "frame period"),
          DriverOption.integer("threshold", 25, 1, 255, "grey-level change that counts"),
          DriverOption.positiveNumber(
              "minArea", 0.01, 1, "fraction of the frame", "changed fraction of the frame"),
          DriverOption.duration(
              "cooldown",
              Duration.ofSeconds(10),
              Duration.ofHours(1),
              "quiet time after an event"));

  static final DriverOptions DETECTIONS =
      DriverOptions.of(
          DriverOption.requiredInteger(
              "udpPort", 1, 65535, "is not a port", "loopback port of `object_detect_udp`"),
          DriverOption.positiveNumber(
              "minConfidence", 0.5, 1, "confidence", "lower ones are dropped"),
          DriverOption.duration(
              "window", Duration.ofSeconds(2), Duration.ofMinutes(10), "de-duplication window"),
          DriverOption.integer("perMinute", 60, 1, 6000, "events per minute at most"));

  /** One configured camera. */
  public record Configured(CameraSettings settings, FrameSource source, CameraService.Plan plan) {}

  private final List<Configured> cameras;
  private final int maxDataChars;

  private Cameras(List<Configured> cameras, int maxDataChars) {
    this.cameras = List.copyOf(cameras);
    this.maxDataChars = maxDataChars;
  }

  /**
   * Reads the {@code cameras} section ({@code null}: none) of profile {@code source}; every problem
   * goes to {@code problems} and leaves that camera out.
   */
  public static Cameras build(Object section, String source, Clock clock, Problems problems) {
    if (section == null) {
      return NONE;
    }
    if (!(section instanceof List<?> entries)) {
      problems.add(source, "cameras", "expected a list of cameras");
      return NONE;
    }
    List<Configured> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = source + ": cameras[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> m)) {
        problems.add(at, "", "expected an object with \"name\" and \"type\"");
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> entry = new LinkedHashMap<>((Map<String, Object>) m);
      Object name = entry.remove("name");
      if (!(name instanceof String n) || !n.matches("[A-Za-z0-9_-]+")) {
        problems.add(at, "name", "expected a name of letters, digits, '-' or '_', got " + name);
        continue;
      }
      if (out.stream().anyMatch(c -> c.settings().name().equals(n))) {
        problems.add(at, "name", "\"" + n + "\" is used by two cameras; names must be unique");
        continue;
      }
      try {
        out.add(configure(n, new Options(at + " (\"" + n + "\")", entry), clock));
      } catch (ConfigException e) {
        problems.add(e);
      }
    }
    return new Cameras(out, Attachments.DEFAULT_MAX_DATA_CHARS);
  }

  private static Configured configure(String name, Options o, Clock clock) throws ConfigException {
    if (!o.has("type")) {
      throw new ConfigException(o.location(), "type", "missing, expected rpicam or simulated");
    }
    DriverOptions.Values v = OPTIONS.check(o);
    CameraSettings settings;
    try {
      settings =
          new CameraSettings(
              name,
              v.string("tool"),
              v.integer("index"),
              v.integer("width"),
              v.integer("height"),
              v.integer("quality"),
              v.integer("rotation"),
              v.bool("hflip"),
              v.bool("vflip"),
              v.duration("timeout"),
              v.integer("maxWidth"),
              v.integer("maxHeight"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(o.location(), "width", e.getMessage());
    }
    DriverOptions.Values motion = o.has("motion") ? MOTION.check(o.object("motion")) : null;
    DriverOptions.Values det =
        o.has("detections") ? DETECTIONS.check(o.object("detections")) : null;
    CameraService.Plan plan =
        new CameraService.Plan(
            v.duration("snapshotInterval"),
            settings.width(),
            settings.height(),
            motion == null ? Duration.ZERO : motion.duration("interval"),
            motion == null ? 25 : motion.integer("threshold"),
            motion == null ? 0.01 : motion.number("minArea"),
            motion == null ? Duration.ZERO : motion.duration("cooldown"),
            det == null ? 0 : det.integer("udpPort"),
            det == null ? 0.5 : det.number("minConfidence"),
            det == null ? Duration.ZERO : det.duration("window"),
            det == null ? 60 : det.integer("perMinute"),
            v.integer("offlineBudget"));
    if (!plan.motionInterval().isZero() && plan.motionInterval().toMillis() < 100) {
      throw new ConfigException(o.location(), "motion.interval", "must be at least 100ms");
    }
    FrameSource source =
        v.string("type").equals("simulated")
            ? new SimulatedCamera(clock)
            : new RpicamStill(settings);
    return new Configured(settings, source, plan);
  }

  /** The configured cameras, in profile order. */
  public List<Configured> list() {
    return cameras;
  }

  /** {@code camera.snapshot}, or nothing when there are no cameras. */
  public List<CommandHandler> commandHandlers(Consumer<Map<String, Object>> events) {
    if (cameras.isEmpty()) {
      return List.of();
    }
    Map<String, SnapshotCommand.Camera> byName = new LinkedHashMap<>();
    cameras.forEach(
        c -> byName.put(c.settings().name(), new SnapshotCommand.Camera(c.settings(), c.source())));
    return List.of(new SnapshotCommand(byName, events, maxDataChars));
  }

  /** One service per camera (its health is the camera's state in status). */
  public List<AgentService> services() {
    List<AgentService> out = new ArrayList<>();
    cameras.forEach(
        c -> out.add(new CameraService(c.settings(), c.source(), c.plan(), maxDataChars)));
    return out;
  }
}
