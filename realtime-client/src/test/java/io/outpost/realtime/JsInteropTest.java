package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.outpost.relay.Relay;
import io.outpost.relay.TokenRequest;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client and Metered's official JS SDK (run by Node with the {@code ws} package) talk to
 * each other through the relay in both directions: publish, direct send, sender metadata, presence.
 * Fails (does not skip) when Node is missing.
 */
@Timeout(60)
class JsInteropTest {

  private static final Path JS_DIR = Path.of("src", "test", "js");
  private static final Duration WAIT = Duration.ofSeconds(15);

  private Relay relay;
  private Process node;

  @BeforeAll
  static void installSdk() throws Exception {
    Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
    assertThat(version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0)
        .as("Node.js must be installed to run the SDK interop test")
        .isTrue();
    if (!Files.isDirectory(JS_DIR.resolve("node_modules/@metered-ca/realtime"))) {
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(JS_DIR.toFile())
              .redirectErrorStream(true)
              .redirectOutput(new File("target/npm-ci.log"))
              .start();
      assertThat(npm.waitFor(120, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
      assertThat(npm.exitValue()).as("npm ci exit code (see target/npm-ci.log)").isZero();
    }
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.destroyForcibly();
    }
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void javaAndJsSdkPeersExchangeMessagesBothWays() throws Exception {
    relay = TestRelay.start();
    RecordingListener events = new RecordingListener();
    try (RealtimeClient java =
        RealtimeClient.create(TestRelay.config(relay, "java-peer").build(), events)) {
      java.connect().get(10, TimeUnit.SECONDS);
      java.subscribe("interop", SubscribeOptions.withSenderMetadata()).get(10, TimeUnit.SECONDS);

      BlockingQueue<JsonObject> jsEvents = startJsPeer("js-peer", TestRelay.named("JS"), "interop");
      awaitJs(jsEvents, e -> e.get("event").getAsString().equals("ready"));

      // Presence: the SDK peer joined, with its metadata.
      events.awaitOne(PresenceChange.class, c -> !c.joined().isEmpty(), WAIT);
      assertThat(java.roster("interop").findByMetadata("name", "JS"))
          .extracting(Participant::peerId)
          .containsExactly("js-peer");

      // Java → JS publish, JS → Java publish (the echo), both with sender metadata.
      java.publish("interop", JsonParser.parseString("{\"ask\":\"echo\",\"n\":7}"))
          .get(10, TimeUnit.SECONDS);
      JsonObject seenByJs = awaitJs(jsEvents, e -> e.get("event").getAsString().equals("message"));
      assertThat(seenByJs.get("from").getAsString()).isEqualTo("java-peer");
      assertThat(seenByJs.getAsJsonObject("fromMetadata").get("name").getAsString())
          .isEqualTo("JAVA-PEER");
      assertThat(seenByJs.getAsJsonObject("data").get("n").getAsInt()).isEqualTo(7);
      ChannelMessage reply = events.awaitOne(ChannelMessage.class, WAIT);
      assertThat(reply.from()).isEqualTo("js-peer");
      assertThat(reply.fromMetadata())
          .hasValueSatisfying(m -> assertThat(m.get("name").getAsString()).isEqualTo("JS"));
      assertThat(reply.data().getAsJsonObject().get("reply").getAsInt()).isEqualTo(7);

      // Java → JS direct, JS → Java direct.
      java.send("js-peer", JsonParser.parseString("{\"hello\":\"from java\",\"unicode\":\"é😀\"}"))
          .get(10, TimeUnit.SECONDS);
      JsonObject directSeen = awaitJs(jsEvents, e -> e.get("event").getAsString().equals("direct"));
      assertThat(directSeen.get("from").getAsString()).isEqualTo("java-peer");
      assertThat(directSeen.getAsJsonObject("data").get("unicode").getAsString()).isEqualTo("é😀");
      DirectMessage echo = events.awaitOne(DirectMessage.class, WAIT);
      assertThat(echo.from()).isEqualTo("js-peer");
      assertThat(echo.data().getAsJsonObject().getAsJsonObject("echo").get("hello").getAsString())
          .isEqualTo("from java");

      // The SDK peer leaves: presence says so.
      try (Writer stdin = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
        stdin.write("quit\n");
      }
      assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(node.exitValue()).isZero();
      events.awaitOne(PresenceChange.class, c -> !c.left().isEmpty(), WAIT);
      assertThat(java.roster("interop").size()).isZero();
    }
  }

  private BlockingQueue<JsonObject> startJsPeer(
      String peerId, JsonObject peerMetadata, String channel) throws IOException {
    String token = relay.mintToken(TokenRequest.builder(peerId).peerMetadata(peerMetadata).build());
    ProcessBuilder pb =
        new ProcessBuilder("node", "peer.cjs", relay.webSocketOrigin().toString(), channel)
            .directory(JS_DIR.toFile())
            .redirectError(new File("target/js-peer.err"));
    pb.environment().put("OUTPOST_TOKEN", token);
    node = pb.start();
    BlockingQueue<JsonObject> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(JsonParser.parseString(line).getAsJsonObject());
                }
              } catch (IOException | RuntimeException e) {
                // process ended
              }
            },
            "test-js-peer-stdout");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static JsonObject awaitJs(BlockingQueue<JsonObject> events, Predicate<JsonObject> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject e = events.poll(100, TimeUnit.MILLISECONDS);
      if (e == null) {
        continue;
      }
      if (e.get("event").getAsString().equals("error")) {
        throw new AssertionError("JS peer failed: " + e);
      }
      if (match.test(e)) {
        return e;
      }
    }
    throw new AssertionError(
        "the JS peer did not report the expected event within " + WAIT.toSeconds() + " s");
  }
}
