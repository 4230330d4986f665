package io.outpost.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.agent.RelayFixture;
import io.outpost.agent.camera.Attachments;
import io.outpost.agent.camera.SimulatedCamera;
import io.outpost.agent.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost attachment save} against a real relay, the chunks published over its REST API. */
@Timeout(60)
class AttachmentCommandTest {
  @TempDir Path dir;
  private RelayFixture relay;

  @AfterEach
  void tearDown() {
    if (relay != null) {
      relay.close();
    }
  }

  /** A running {@code attachment save}: what it printed so far and its exit code to come. */
  private record Save(
      ByteArrayOutputStream out, ByteArrayOutputStream err, CompletableFuture<Integer> exit) {}

  /**
   * Starts {@code attachment save} for {@code id} on {@code devices/pi-1/events} and returns once
   * it says it is waiting (subscribed).
   */
  private Save save(String id, Path file, String timeout) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args =
        List.of(
            "save",
            "--url",
            relay.origin(),
            "--channel",
            "devices/pi-1/events",
            "--id",
            id,
            "--out",
            file.toString(),
            "--timeout",
            timeout);
    String token = relay.mint("ops-save", List.of("devices/**"), List.of("subscribe"));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new AttachmentCommand(() -> token)
                    .run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("waiting for"));
    return new Save(out, err, exit);
  }

  @Test
  void savesAChunkedPictureSentOutOfOrderWithADuplicate() throws Exception {
    relay = RelayFixture.started();
    byte[] jpeg = new SimulatedCamera(Clock.systemUTC(), 30, 30).capture(1600, 1200, 95);
    Attachments.Prepared p = Attachments.prepare("image/jpeg", jpeg, "c9/snapshot", 20_000);
    assertThat(p.chunks()).hasSizeGreaterThan(2);
    Path file = dir.resolve("pictures/snap.jpg");
    Save save = save("c9/snapshot", file, "20s");

    List<Map<String, Object>> messages = new ArrayList<>(p.chunks());
    Collections.reverse(messages);
    messages.add(1, p.chunks().get(0)); // a duplicate
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("type", "command.result");
    result.put("id", "c9");
    result.put("status", "succeeded");
    result.put("result", Map.of("attachment", p.attachment()));
    messages.add(2, result); // the description before the last chunks
    // Another attachment on the channel, and garbage, are ignored.
    messages.add(
        0,
        Map.of(
            "type",
            "attachment.chunk",
            "attachmentId",
            "x",
            "index",
            0,
            "count",
            2,
            "data",
            "AAAA"));
    messages.add(
        0,
        Map.of(
            "type",
            "attachment.chunk",
            "attachmentId",
            "y",
            "index",
            5,
            "count",
            2,
            "data",
            "AAAA"));
    for (Map<String, Object> m : messages) {
      assertThat(relay.publish("devices/pi-1/events", Json.toJson(m).toString())).isEqualTo(200);
    }
    assertThat(save.exit().get()).as(save.err().toString()).isZero();
    assertThat(Files.readAllBytes(file)).isEqualTo(jpeg);
    assertThat(save.out().toString())
        .contains("saved " + jpeg.length + " bytes (image/jpeg, sha256 ");
    assertThat(save.err().toString()).contains("ignoring a malformed attachment message: index");
  }

  @Test
  void savesAPictureWhoseChunksCameInReplayEnvelopes() throws Exception {
    relay = RelayFixture.started();
    byte[] jpeg = new SimulatedCamera(Clock.systemUTC(), 30, 30).capture(1600, 1200, 95);
    Attachments.Prepared p = Attachments.prepare("image/jpeg", jpeg, "c7/snapshot", 10_000);
    assertThat(p.chunks()).hasSizeGreaterThan(2);
    Path file = dir.resolve("replayed.jpg");
    Save save = save("c7/snapshot", file, "20s");

    // What the agent sends after an outage: the stored messages, two to an envelope.
    List<Map<String, Object>> stored = new ArrayList<>();
    stored.add(
        Map.of(
            "type",
            "command.result",
            "id",
            "c7",
            "status",
            "succeeded",
            "result",
            Map.of("attachment", p.attachment())));
    stored.addAll(p.chunks());
    for (int i = 0; i < stored.size(); i += 2) {
      Map<String, Object> envelope = new LinkedHashMap<>();
      envelope.put("type", "replay");
      envelope.put("device", "pi-1");
      envelope.put("stream", "s");
      envelope.put("messages", stored.subList(i, Math.min(stored.size(), i + 2)));
      assertThat(relay.publish("devices/pi-1/events", Json.toJson(envelope).toString()))
          .isEqualTo(200);
    }
    assertThat(save.exit().get()).as(save.err().toString()).isZero();
    assertThat(Files.readAllBytes(file)).isEqualTo(jpeg);
  }

  @Test
  void aMissingChunkIsReportedAfterTheTimeoutAndNoFileIsWritten() throws Exception {
    relay = RelayFixture.started();
    byte[] bytes = new byte[50_000];
    new java.util.Random(7).nextBytes(bytes);
    Attachments.Prepared p = Attachments.prepare("application/octet-stream", bytes, "a1", 20_000);
    Path file = dir.resolve("a1.bin");
    Save save = save("a1", file, "2s");
    relay.publish("devices/pi-1/events", Json.toJson(p.chunks().get(0)).toString());
    relay.publish(
        "devices/pi-1/events",
        Json.toJson(Map.of("type", "camera.snapshot", "attachment", p.attachment())).toString());
    assertThat(save.exit().get()).isEqualTo(CliCommand.FAILURE);
    assertThat(save.err().toString())
        .contains("a1 not complete after 2 s", "missing chunks [1, 2, 3]");
    assertThat(file).doesNotExist();
  }

  @Test
  void usageErrorsNameWhatIsMissing() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"attachment", "save", "--url", "ws://127.0.0.1:1", "--id", "x"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(CliCommand.USAGE);
    assertThat(err.toString()).contains("--channel is required");
  }
}
