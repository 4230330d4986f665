package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AttachmentAssemblerTest {
  private static final byte[] HELLO = "hello, world".getBytes(StandardCharsets.UTF_8);

  private static JsonObject description(String id, int chunks, byte[] bytes) {
    return JsonParser.parseString(
            "{\"type\": \"camera.snapshot\", \"attachment\": {\"contentType\": \"text/plain\","
                + " \"size\": "
                + bytes.length
                + ", \"sha256\": \""
                + AttachmentAssembler.sha256(bytes)
                + "\", \"attachmentId\": \""
                + id
                + "\", \"chunks\": "
                + chunks
                + "}}")
        .getAsJsonObject();
  }

  private static JsonObject chunk(String id, int index, int count, String text) {
    return JsonParser.parseString(
            "{\"type\": \"attachment.chunk\", \"attachmentId\": \""
                + id
                + "\", \"index\": "
                + index
                + ", \"count\": "
                + count
                + ", \"data\": \""
                + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))
                + "\"}")
        .getAsJsonObject();
  }

  @Test
  void completesWhenTheDescriptionComesLast() {
    AttachmentAssembler a = new AttachmentAssembler();
    assertThat(a.offer(chunk("a", 1, 2, ", world"))).isEmpty();
    assertThat(a.offer(chunk("a", 0, 2, "hello"))).isEmpty();
    var done = a.offer(description("a", 2, HELLO)).orElseThrow();
    assertThat(done.bytes()).isEqualTo(HELLO);
    assertThat(done.contentType()).isEqualTo("text/plain");
    assertThat(done.message().get("type").getAsString()).isEqualTo("camera.snapshot");
  }

  @Test
  void aCommandResultCarriesItsAttachmentInItsResult() {
    AttachmentAssembler a = new AttachmentAssembler();
    JsonObject result = new JsonObject();
    result.addProperty("type", "command.result");
    result.addProperty("id", "c1");
    JsonObject body = new JsonObject();
    body.add("attachment", description("c1/snapshot", 2, HELLO).get("attachment"));
    result.add("result", body);
    assertThat(a.offer(chunk("c1/snapshot", 0, 2, "hello"))).isEmpty();
    assertThat(a.offer(result)).isEmpty();
    var done = a.offer(chunk("c1/snapshot", 1, 2, ", world")).orElseThrow();
    assertThat(done.bytes()).isEqualTo(HELLO);
    assertThat(done.message().get("id").getAsString()).isEqualTo("c1");
  }

  @Test
  void reportsMissingChunksAfterTheTimeout() throws Exception {
    AttachmentAssembler a = new AttachmentAssembler(Duration.ofMillis(50), 16, 1 << 20);
    a.offer(description("b", 3, HELLO));
    a.offer(chunk("b", 1, 3, "x"));
    a.offer(chunk("orphan", 0, 1, "x")); // a chunk of an attachment never described
    Thread.sleep(80);
    assertThat(a.expire())
        .containsExactlyInAnyOrder(
            new AttachmentAssembler.Incomplete(
                "b", java.util.List.of(0, 2), true, "timed out after 0 s"),
            new AttachmentAssembler.Incomplete(
                "orphan", java.util.List.of(), false, "timed out after 0 s"));
    assertThat(a.pending()).isZero();
  }

  @Test
  void refusesBytesThatDoNotMatchTheirDescription() {
    AttachmentAssembler a = new AttachmentAssembler();
    a.offer(chunk("c", 0, 1, "hello, WORLD"));
    assertThatThrownBy(() -> a.offer(description("c", 1, HELLO)))
        .hasMessage("attachment.sha256 does not match the bytes");
    assertThatThrownBy(() -> a.offer(chunk("d", 5, 2, "x"))).hasMessage("index: 5 is outside 0..1");
    assertThatThrownBy(
            () ->
                a.offer(
                    JsonParser.parseString("{\"type\": \"attachment.chunk\"}").getAsJsonObject()))
        .hasMessage("attachmentId: expected an id");
  }

  @Test
  void holdsAtMostTheConfiguredNumberOfAttachments() {
    AttachmentAssembler a = new AttachmentAssembler(Duration.ofMinutes(1), 2, 1 << 20);
    a.offer(chunk("1", 0, 2, "x"));
    a.offer(chunk("2", 0, 2, "x"));
    a.offer(chunk("3", 0, 2, "x"));
    assertThat(a.pending()).isEqualTo(2);
    assertThat(a.expire())
        .extracting(AttachmentAssembler.Incomplete::attachmentId)
        .containsExactly("1");
  }
}
