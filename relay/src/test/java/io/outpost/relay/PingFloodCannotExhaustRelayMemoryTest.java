package io.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.outpost.testsupport.StrictWsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token holder that stops reading and sends 125-byte RFC 6455 pings in a loop cannot exhaust the
 * relay's memory: the pongs count against the per-connection outbound limit, so the relay (running
 * in its own JVM with a 64 MB heap) closes the attacker with 1008 and drops its socket, and another
 * subscriber keeps getting messages within a bounded latency throughout.
 */
@Timeout(90)
class PingFloodCannotExhaustRelayMemoryTest {
  private static final long FLOOD_MILLIS = 15_000;
  private static final long MAX_LATENCY_MILLIS = 2_000;

  @TempDir Path config;

  @Test
  void aPingFloodFromAPeerThatDoesNotReadIsCutOffWhileOthersAreServed() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-Doutpost.log.level=info",
                "-cp",
                System.getProperty("java.class.path"),
                "io.outpost.relay.RelayMain",
                "--listen",
                "127.0.0.1:0")
            .redirectErrorStream(true);
    pb.environment().put("XDG_CONFIG_HOME", config.toString());
    Process relay = pb.start();
    List<String> output = new CopyOnWriteArrayList<>();
    AtomicReference<String> origin = new AtomicReference<>();
    AtomicReference<String> bearer = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                  output.add(line);
                  Matcher b = Pattern.compile("Authorization: Bearer (\\S+)").matcher(line);
                  if (b.find()) {
                    bearer.set(b.group(1));
                  }
                  Matcher r = Pattern.compile("relay ready: (ws://\\S+)/v1").matcher(line);
                  if (r.find()) {
                    origin.set(r.group(1));
                  }
                }
              } catch (IOException ended) {
                // the process is gone
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (origin.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(origin.get()).as("ready line in %s", output).isNotNull();

      try (WsClient bystander =
              WsClient.connectWelcomed(uri(origin.get(), bearer.get(), "bystander"));
          WsClient publisher =
              WsClient.connectWelcomed(uri(origin.get(), bearer.get(), "publisher"));
          StrictWsClient attacker =
              StrictWsClient.connect(uri(origin.get(), bearer.get(), "attacker"), 4096)) {
        RelayTestSupport.subscribe(bystander, "room");

        AtomicLong pings = new AtomicLong();
        AtomicReference<IOException> cutOff = new AtomicReference<>();
        Thread flood =
            new Thread(
                () -> {
                  byte[] payload = new byte[125];
                  long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FLOOD_MILLIS);
                  try {
                    while (System.nanoTime() < end) {
                      attacker.sendPing(payload); // and never read a pong
                      pings.incrementAndGet();
                    }
                  } catch (IOException e) {
                    cutOff.set(e);
                  }
                });
        flood.start();

        long worst = 0;
        for (int i = 0; flood.isAlive(); i++) {
          long sent = System.nanoTime();
          publisher.send(
              RelayTestSupport.frame(
                  "publish", "channel", "room", "data", i, "requestId", "p" + i));
          assertThat(bystander.next("message").get("data").getAsInt()).isEqualTo(i);
          worst = Math.max(worst, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
          publisher.next("ack");
          Thread.sleep(50);
        }
        flood.join();

        assertThat(cutOff.get())
            .as("the relay dropped the flooding socket (after %d pings)", pings.get())
            .isNotNull();
        assertThat(worst)
            .as("worst delivery latency to the bystander, ms")
            .isLessThan(MAX_LATENCY_MILLIS);
        assertThat(relay.isAlive()).isTrue();
        assertThat(output).anyMatch(l -> l.contains("attacker") && l.contains("closing with 1008"));
        assertThat(output).noneMatch(l -> l.contains("OutOfMemoryError"));
      }
    } finally {
      relay.destroyForcibly();
      relay.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static URI uri(String origin, String bearer, String peerId) throws Exception {
    HttpResponse<String> minted =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(origin.replace("ws:", "http:") + "/v1/tokens"))
                    .header("Authorization", "Bearer " + bearer)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"peerId\": \"" + peerId + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    String token =
        JsonParser.parseString(minted.body()).getAsJsonObject().get("token").getAsString();
    return URI.create(origin + "/v1?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
  }
}
