package io.outpost.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A relay in a child JVM on this JVM's class path, for tests and benchmarks that must see only the
 * client's heap and threads in their own JVM. The child's {@code main} starts the relay, calls
 * {@link #announce} (which prints {@code PORT n}, one {@code TOKEN peer jwt} per peer, then {@code
 * READY}), then reads command lines from stdin ({@link #command}) and exits when stdin closes.
 */
public final class RelayProcess implements AutoCloseable {

  private final Process process;
  private final Writer commands;
  private final int port;
  private final Map<String, String> tokens = new HashMap<>();

  private RelayProcess(Process process) throws IOException {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    int p = 0;
    for (String line; (line = out.readLine()) != null && !line.equals("READY"); ) {
      String[] parts = line.split(" ");
      if (parts[0].equals("PORT")) {
        p = Integer.parseInt(parts[1]);
      } else if (parts[0].equals("TOKEN")) {
        tokens.put(parts[1], parts[2]);
      }
    }
    if (p == 0) {
      process.destroyForcibly();
      throw new IOException("relay child process did not start");
    }
    port = p;
  }

  /**
   * Starts {@code mainClass} in a child JVM with these JVM options and arguments and waits for its
   * {@code READY}; the child's stderr goes to this process's stderr when {@code inheritStderr}, is
   * discarded otherwise.
   */
  public static RelayProcess start(
      String mainClass, List<String> jvmOptions, List<String> args, boolean inheritStderr)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command)
            .redirectError(
                inheritStderr ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD)
            .start();
    return new RelayProcess(process);
  }

  /** The child side: prints the port, one token per peer, and {@code READY}. */
  public static void announce(PrintStream out, int port, Map<String, String> tokensByPeer) {
    out.println("PORT " + port);
    tokensByPeer.forEach((peer, token) -> out.println("TOKEN " + peer + " " + token));
    out.println("READY");
    out.flush();
  }

  public int port() {
    return port;
  }

  /** {@code ws://127.0.0.1:port}. */
  public URI origin() {
    return URI.create("ws://127.0.0.1:" + port);
  }

  /** The token the child minted for {@code peer}. */
  public String token(String peer) {
    return tokens.get(peer);
  }

  /** Sends one command line to the child (e.g. {@code KICK peer}). */
  public void command(String line) throws IOException {
    commands.write(line + "\n");
    commands.flush();
  }

  /** Closes the child's stdin and waits up to 10 s for it to exit, then kills it. */
  @Override
  public void close() throws IOException, InterruptedException {
    commands.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
