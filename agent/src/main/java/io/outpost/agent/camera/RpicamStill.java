package io.outpost.agent.camera;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Takes pictures with rpicam-apps' {@code rpicam-still} (or {@code libcamera-still} on Bullseye-era
 * images): {@code -n --immediate -o - … --thumb none} writes one JPEG to stdout and logs only to
 * stderr. The command line is an argument list, never a shell string; both streams are drained (a
 * full stderr pipe would stall the tool), the picture is bounded ({@link #MAX_JPEG_BYTES}) and
 * checked to be a JPEG, and a capture that outlives the timeout is killed. One capture at a time.
 */
public final class RpicamStill implements FrameSource {
  /** Larger output is not a picture this agent asked for. */
  public static final int MAX_JPEG_BYTES = 16 << 20;

  private static final int STDERR_TAIL = 4096;

  private final CameraSettings settings;
  private final Map<String, String> environment;
  private volatile String state = "ok";

  public RpicamStill(CameraSettings settings) {
    this(settings, System.getenv());
  }

  RpicamStill(CameraSettings settings, Map<String, String> environment) {
    this.settings = settings;
    this.environment = environment;
  }

  @Override
  public String state() {
    return state;
  }

  @Override
  public synchronized byte[] capture(int width, int height, int quality) throws IOException {
    try {
      byte[] jpeg = run(command(resolveTool(), width, height, quality));
      state = "ok";
      return jpeg;
    } catch (IOException e) {
      state = e.getMessage();
      throw e;
    }
  }

  /** The argument list for one capture (visible for tests). */
  List<String> command(String tool, int width, int height, int quality) {
    List<String> cmd = new ArrayList<>();
    cmd.add(tool);
    cmd.addAll(List.of("-n", "--immediate", "-t", "1", "-o", "-", "--thumb", "none"));
    cmd.addAll(List.of("--camera", Integer.toString(settings.index())));
    cmd.addAll(List.of("--width", Integer.toString(width), "--height", Integer.toString(height)));
    cmd.addAll(List.of("-q", Integer.toString(quality)));
    if (settings.rotation() != 0) {
      cmd.addAll(List.of("--rotation", Integer.toString(settings.rotation())));
    }
    if (settings.hflip()) {
      cmd.add("--hflip");
    }
    if (settings.vflip()) {
      cmd.add("--vflip");
    }
    return cmd;
  }

  /** The tool to run: the configured one, or for {@code auto} the first found on the PATH. */
  String resolveTool() throws IOException {
    if (!settings.tool().equals("auto")) {
      return settings.tool();
    }
    String path = environment.getOrDefault("PATH", "/usr/bin:/bin");
    for (String name : CameraSettings.AUTO_TOOLS) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    throw new IOException(
        "camera \""
            + settings.name()
            + "\": neither rpicam-still nor libcamera-still is on the PATH"
            + " (install rpicam-apps: sudo apt install rpicam-apps)");
  }

  private byte[] run(List<String> cmd) throws IOException {
    String where =
        "camera \"" + settings.name() + "\" (" + cmd.get(0) + ", camera " + settings.index() + ")";
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().putAll(environment);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException(where + ": cannot start the tool: " + e.getMessage(), e);
    }
    p.getOutputStream().close();
    // Own threads, not the common pool: both reads block until the tool exits.
    FutureTask<byte[]> out = new FutureTask<>(() -> drain(p.getInputStream(), MAX_JPEG_BYTES + 1));
    FutureTask<byte[]> err = new FutureTask<>(() -> tail(p.getErrorStream()));
    startDaemon(out, "camera-stdout");
    startDaemon(err, "camera-stderr");
    try {
      if (!p.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            where + ": no picture within " + settings.timeout().toSeconds() + " s (killed)");
      }
      byte[] jpeg = out.get(2, TimeUnit.SECONDS);
      String stderr = new String(err.get(2, TimeUnit.SECONDS), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IOException(where + ": " + explain(p.exitValue(), stderr));
      }
      if (jpeg.length > MAX_JPEG_BYTES) {
        throw new IOException(where + ": output exceeds " + MAX_JPEG_BYTES + " bytes");
      }
      if (!isJpeg(jpeg)) {
        throw new IOException(where + ": output is not a JPEG (" + jpeg.length + " bytes)");
      }
      return jpeg;
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(where + ": interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new IOException(where + ": reading the tool's output failed: " + e, e);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static void startDaemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private static String explain(int exit, String stderr) {
    String last = lastLine(stderr);
    if (stderr.toLowerCase().contains("no cameras available")) {
      return "no camera found (is it connected and enabled? " + last + ")";
    }
    return "the tool failed with exit code " + exit + (last.isEmpty() ? "" : ": " + last);
  }

  private static String lastLine(String s) {
    String[] lines = s.strip().split("\n");
    String line = lines.length == 0 ? "" : lines[lines.length - 1].strip();
    line = line.replaceAll("\\p{Cntrl}", "?");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  static boolean isJpeg(byte[] b) {
    return b.length >= 4
        && (b[0] & 0xff) == 0xFF
        && (b[1] & 0xff) == 0xD8
        && (b[b.length - 2] & 0xff) == 0xFF
        && (b[b.length - 1] & 0xff) == 0xD9;
  }

  private static byte[] drain(InputStream in, int limit) {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() < limit) {
          out.write(buf, 0, Math.min(n, limit - out.size()));
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static byte[] tail(InputStream in) {
    try (in) {
      byte[] ring = new byte[STDERR_TAIL];
      int total = 0;
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          ring[total++ % STDERR_TAIL] = buf[i];
        }
      }
      if (total <= STDERR_TAIL) {
        return java.util.Arrays.copyOf(ring, total);
      }
      byte[] out = new byte[STDERR_TAIL];
      int start = total % STDERR_TAIL;
      System.arraycopy(ring, start, out, 0, STDERR_TAIL - start);
      System.arraycopy(ring, 0, out, STDERR_TAIL - start, start);
      return out;
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
