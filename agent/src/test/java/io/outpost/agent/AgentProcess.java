package io.outpost.agent;

import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.outpost.agent.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code outpost run} (or another command) as a real child process, started from the test class
 * path.
 */
public final class AgentProcess implements AutoCloseable {
  private final Path config;
  private final Path log;
  private Process process;

  public AgentProcess(Path config, Path log) {
    this.config = config;
    this.log = log;
  }

  public AgentProcess start() throws IOException {
    process =
        new ProcessBuilder(command("run", "--config", config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return this;
  }

  /** What a finished {@code outpost} process printed. */
  public record Finished(int exitCode, String out, String err) {}

  /**
   * Runs {@code outpost ARGS} in a fresh JVM (its own logging configuration, as on a device) to the
   * end; fails when it takes longer than {@code timeout}. {@code dir} receives its output files.
   */
  public static Finished runToEnd(Path dir, Duration timeout, String... args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    Process p =
        new ProcessBuilder(command(args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          "outpost " + String.join(" ", args) + " did not finish within " + timeout);
    }
    return new Finished(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static List<String> command(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.outpost.agent.cli.Main"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** SIGKILL: no shutdown hook, no flush. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /** SIGTERM; returns the exit status. */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  public Process process() {
    return process;
  }

  /** The status file's content, or null while it does not exist yet. */
  public static JsonObject status(Path file) {
    try {
      return Files.exists(file) ? Json.parse(Files.readString(file)).getAsJsonObject() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  public static void awaitStatus(
      Path file, java.util.function.Predicate<JsonObject> p, Duration timeout) {
    await()
        .atMost(timeout)
        .until(
            () -> {
              JsonObject s = status(file);
              return s != null && p.test(s);
            });
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
