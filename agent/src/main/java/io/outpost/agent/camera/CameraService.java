package io.outpost.agent.camera;

import io.outpost.plugin.AgentService;
import io.outpost.plugin.PluginContext;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The camera's background work, each part optional: scheduled snapshots ({@code camera.snapshot}
 * events), motion detection on small frames ({@code camera.motion} events with a thumbnail) and
 * AI-camera detections received as {@code object_detect_udp} datagrams on a loopback port ({@code
 * camera.detection} events, filtered by {@link DetectionFilter}). Work runs on the agent's shared
 * scheduler plus, for detections, one receiving thread. A failing capture is reported in {@link
 * #health()} and retried at the next tick; it never stops the service.
 */
public final class CameraService implements AgentService {
  /** What to do in the background; a zero duration or port turns that part off. */
  public record Plan(
      Duration snapshotInterval,
      int snapshotWidth,
      int snapshotHeight,
      Duration motionInterval,
      int motionPixelThreshold,
      double motionMinArea,
      Duration motionCooldown,
      int detectionPort,
      double detectionMinConfidence,
      Duration detectionWindow,
      int detectionsPerMinute,
      long offlineBudgetBytes) {}

  static final int THUMB_WIDTH = 160;
  static final int THUMB_HEIGHT = 120;

  private final CameraSettings settings;
  private final FrameSource source;
  private final Plan plan;
  private final int maxDataChars;
  private PluginContext ctx;
  private ScheduledFuture<?> snapshots;
  private ScheduledFuture<?> motion;
  private DatagramSocket socket;
  private Thread receiver;
  private MotionDetector detector;
  private DetectionFilter filter;
  private final AtomicLong events = new AtomicLong();
  // Attachment bytes queued since the link was last seen up, and images skipped for the budget.
  private final AtomicLong queuedOffline = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private volatile String lastError;

  public CameraService(CameraSettings settings, FrameSource source, Plan plan, int maxDataChars) {
    this.settings = settings;
    this.source = source;
    this.plan = plan;
    this.maxDataChars = maxDataChars;
  }

  @Override
  public String name() {
    return "camera." + settings.name();
  }

  @Override
  public void start(PluginContext context) throws Exception {
    this.ctx = context;
    if (!plan.snapshotInterval().isZero()) {
      long ms = plan.snapshotInterval().toMillis();
      snapshots =
          ctx.scheduler().scheduleAtFixedRate(this::snapshot, ms, ms, TimeUnit.MILLISECONDS);
    }
    if (!plan.motionInterval().isZero()) {
      detector =
          new MotionDetector(
              plan.motionPixelThreshold(), plan.motionMinArea(), plan.motionCooldown().toMillis());
      long ms = plan.motionInterval().toMillis();
      motion = ctx.scheduler().scheduleAtFixedRate(this::motionTick, ms, ms, TimeUnit.MILLISECONDS);
    }
    if (plan.detectionPort() > 0) {
      filter =
          new DetectionFilter(
              plan.detectionMinConfidence(),
              plan.detectionWindow().toMillis(),
              plan.detectionsPerMinute());
      socket =
          new DatagramSocket(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), plan.detectionPort()));
      receiver = new Thread(this::receive, "camera-detections");
      receiver.setDaemon(true);
      receiver.start();
    }
  }

  private void snapshot() {
    try {
      if (overBudget()) {
        skipped.incrementAndGet();
        return;
      }
      byte[] jpeg = source.capture(plan.snapshotWidth(), plan.snapshotHeight(), settings.quality());
      charge(jpeg.length);
      Map<String, Object> e = event("camera.snapshot");
      String id = ctx.deviceId() + "-" + ctx.clock().millis();
      Attachments.Prepared p = Attachments.prepare("image/jpeg", jpeg, id, maxDataChars);
      p.chunks().forEach(ctx.uplink()::publishEvent);
      e.put("attachment", p.attachment());
      publish(e);
    } catch (IOException | RuntimeException ex) {
      failed("snapshot", ex);
    }
  }

  private void motionTick() {
    try {
      // Small frames: the detector compares 80-pixel-wide ones, and a thumbnail is 160x120.
      MotionFrame frame = source.motionFrame(THUMB_WIDTH * 2, THUMB_HEIGHT * 2);
      var m = detector.offer(frame, ctx.clock().millis());
      if (m.isPresent()) {
        Map<String, Object> e = event("camera.motion");
        e.put("area", m.get().area());
        e.put(
            "box", java.util.List.of(m.get().x(), m.get().y(), m.get().width(), m.get().height()));
        e.put("frame", java.util.List.of(frame.width(), frame.height()));
        if (overBudget()) {
          // The event still says what was seen; only the picture is left out.
          skipped.incrementAndGet();
          e.put("thumbnail", "skipped: offline attachment budget used up");
        } else {
          byte[] jpeg = frame.thumbnail().jpeg(THUMB_WIDTH, THUMB_HEIGHT);
          charge(jpeg.length);
          e.put(
              "attachment",
              Attachments.prepare("image/jpeg", jpeg, "thumb", maxDataChars).attachment());
        }
        publish(e);
      }
    } catch (IOException | RuntimeException ex) {
      failed("motion", ex);
    }
  }

  private void receive() {
    byte[] buf = new byte[DetectionParser.DATAGRAM_BYTES + 1];
    DatagramPacket packet = new DatagramPacket(buf, buf.length);
    while (!socket.isClosed()) {
      try {
        packet.setLength(buf.length);
        socket.receive(packet);
        var d = DetectionParser.parseDatagram(buf, packet.getLength());
        long now = ctx.clock().millis();
        if (d.isPresent() && filter.accept(d.get(), now)) {
          publish(new LinkedHashMap<>(d.get().toEvent(settings.name())));
        }
      } catch (SocketException closed) {
        return;
      } catch (IOException | RuntimeException ex) {
        failed("detections", ex);
      }
    }
  }

  /**
   * Whether the pictures queued while the link was down reached the budget. Camera messages are
   * outbox events, which the outbox keeps while it drops telemetry to make room; this bound keeps a
   * long outage from filling the buffer with images. Counting restarts whenever the link is up.
   */
  private boolean overBudget() {
    if (ctx.uplink().connected()) {
      queuedOffline.set(0);
      return false;
    }
    return queuedOffline.get() >= plan.offlineBudgetBytes();
  }

  private void charge(long attachmentBytes) {
    if (!ctx.uplink().connected()) {
      // Stored as base64 text: 4/3 of the bytes.
      queuedOffline.addAndGet(attachmentBytes * 4 / 3);
    }
  }

  /** Scheduled snapshots and thumbnails left out because of the offline budget. */
  public long skippedForBudget() {
    return skipped.get();
  }

  private Map<String, Object> event(String type) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", type);
    e.put("camera", settings.name());
    return e;
  }

  private void publish(Map<String, Object> e) {
    ctx.uplink().publishEvent(e);
    events.incrementAndGet();
    lastError = null;
  }

  private void failed(String what, Exception e) {
    String msg = what + ": " + e.getMessage();
    if (!msg.equals(lastError)) {
      ctx.log().warn("camera " + settings.name() + " " + msg);
    }
    lastError = msg;
  }

  @Override
  public String health() {
    String err = lastError;
    return err == null ? "ok" : err;
  }

  /** Events published so far. */
  public long events() {
    return events.get();
  }

  /** Detections the filter held back. */
  public long suppressedDetections() {
    return filter == null ? 0 : filter.suppressed();
  }

  @Override
  public void close() {
    if (snapshots != null) {
      snapshots.cancel(false);
    }
    if (motion != null) {
      motion.cancel(false);
    }
    if (socket != null) {
      socket.close();
    }
  }
}
