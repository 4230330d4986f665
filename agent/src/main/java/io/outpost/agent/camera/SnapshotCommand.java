package io.outpost.agent.camera;

import io.outpost.plugin.Command;
import io.outpost.plugin.CommandHandler;
import io.outpost.plugin.CommandResult;
import io.outpost.plugin.ConfigException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code camera.snapshot}: takes a picture and returns it as an attachment in the result. Optional
 * args {@code width}, {@code height} (within the camera's {@code maxWidth}×{@code maxHeight}),
 * {@code quality} (1..100) and {@code camera} (a name, when a device has several). A picture too
 * large for one message goes out as {@code attachment.chunk} events first, then the result with its
 * description; both through the outbox, so the requester gets every chunk before the result.
 */
public final class SnapshotCommand implements CommandHandler {
  private final Map<String, Camera> cameras;
  private final Consumer<Map<String, Object>> events;
  private final int maxDataChars;

  /** One configured camera and what takes its pictures. */
  public record Camera(CameraSettings settings, FrameSource source) {}

  /**
   * @param events queues one event for {@code devices/<id>/events} through the outbox (chunks)
   */
  public SnapshotCommand(
      Map<String, Camera> cameras, Consumer<Map<String, Object>> events, int maxDataChars) {
    this.cameras = Map.copyOf(cameras);
    this.events = events;
    this.maxDataChars = maxDataChars;
  }

  @Override
  public String name() {
    return "camera.snapshot";
  }

  @Override
  public CommandResult handle(Command command) throws ConfigException {
    command.args().allowOnly(Set.of("camera", "width", "height", "quality"));
    Camera cam;
    if (command.args().has("camera")) {
      cam = cameras.get(command.args().string("camera"));
      if (cam == null) {
        return CommandResult.rejected(
            "unknown_camera",
            "no camera \""
                + command.args().string("camera")
                + "\" (cameras: "
                + cameras.keySet()
                + ")");
      }
    } else if (cameras.size() == 1) {
      cam = cameras.values().iterator().next();
    } else {
      return CommandResult.rejected(
          "camera_required", "name one of " + cameras.keySet() + " in args.camera");
    }
    CameraSettings s = cam.settings();
    int width = (int) command.args().integer("width", s.width(), 16, s.maxWidth());
    int height = (int) command.args().integer("height", s.height(), 16, s.maxHeight());
    int quality = (int) command.args().integer("quality", s.quality(), 1, 100);
    byte[] jpeg;
    try {
      jpeg = cam.source().capture(width, height, quality);
    } catch (IOException e) {
      return CommandResult.failed("capture_failed", e.getMessage());
    }
    Attachments.Prepared p =
        Attachments.prepare("image/jpeg", jpeg, command.id() + "/snapshot", maxDataChars);
    p.chunks().forEach(events);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("camera", s.name());
    result.put("width", width);
    result.put("height", height);
    result.put("attachment", p.attachment());
    return CommandResult.succeeded(result);
  }
}
