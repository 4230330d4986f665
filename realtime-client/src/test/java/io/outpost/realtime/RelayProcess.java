package io.outpost.realtime;

import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.TokenRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A relay in a child JVM, for tests that must see only the client's threads in their own JVM. The
 * child prints {@code PORT n} and {@code TOKEN peer jwt} lines, then obeys {@code KICK peer} lines
 * on stdin and exits when stdin closes.
 */
final class RelayProcess implements AutoCloseable {

  private final Process process;
  private final Writer commands;
  private final int port;
  private final Map<String, String> tokens = new HashMap<>();

  RelayProcess(String... peers) throws IOException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                ManagementFactory.getRuntimeMXBean().getClassPath(),
                RelayProcess.class.getName()));
    command.addAll(List.of(peers));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
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

  URI origin() {
    return URI.create("ws://127.0.0.1:" + port);
  }

  String token(String peer) {
    return tokens.get(peer);
  }

  void kick(String peer) throws IOException {
    commands.write("KICK " + peer + "\n");
    commands.flush();
  }

  @Override
  public void close() throws Exception {
    commands.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /** The child's entry point. */
  public static void main(String[] peers) throws IOException {
    try (Relay relay = TestRelay.start(RelayKeys.development(), 0, b -> {})) {
      System.out.println("PORT " + relay.port());
      for (String peer : peers) {
        System.out.println(
            "TOKEN "
                + peer
                + " "
                + relay.mintToken(TokenRequest.builder(peer).ttl(Duration.ofHours(1)).build()));
      }
      System.out.println("READY");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("KICK ")) {
          relay.kick(line.substring(5));
        }
      }
    }
  }
}
