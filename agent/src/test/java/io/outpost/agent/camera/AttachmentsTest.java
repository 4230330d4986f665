package io.outpost.agent.camera;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.outpost.realtime.AttachmentAssembler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the agent sends, put back together by the client library as a consumer would. */
class AttachmentsTest {
  private static final Gson GSON = new Gson();

  @Test
  void aSmallPictureRidesInline() {
    byte[] bytes = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, (byte) 0xFF, (byte) 0xD9};
    Attachments.Prepared p = Attachments.prepare("image/jpeg", bytes, "c-1", 1000);
    assertThat(p.chunks()).isEmpty();
    assertThat(p.attachment())
        .containsEntry("size", 7)
        .containsEntry("data", "/9gBAgP/2Q==")
        .containsEntry("sha256", AttachmentAssembler.sha256(bytes));
    var done =
        new AttachmentAssembler().offer(message(Map.of("type", "x", "attachment", p.attachment())));
    assertThat(done.orElseThrow().bytes()).isEqualTo(bytes);
  }

  @Test
  void aLargePictureIsChunkedAndReassembledInAnyOrderWithDuplicates() {
    byte[] bytes = new byte[200_000];
    new Random(7).nextBytes(bytes);
    Attachments.Prepared p = Attachments.prepare("image/jpeg", bytes, "c-2/snapshot", 60 * 1024);
    assertThat(p.chunks()).hasSize(5);
    for (Map<String, Object> c : p.chunks()) {
      assertThat(GSON.toJson(c).length()).isLessThan(64 * 1024);
    }
    List<JsonObject> wire = new ArrayList<>();
    p.chunks().forEach(c -> wire.add(message(c)));
    wire.add(
        message(Map.of("type", "command.result", "result", Map.of("attachment", p.attachment()))));
    wire.add(message(p.chunks().get(2))); // a duplicate, as at-least-once delivery allows
    Collections.shuffle(wire, new Random(3));
    AttachmentAssembler a = new AttachmentAssembler();
    List<AttachmentAssembler.Complete> done = new ArrayList<>();
    for (JsonObject m : wire) {
      JsonObject carrier = m.has("result") ? m.getAsJsonObject("result") : m;
      a.offer(carrier).ifPresent(done::add);
    }
    assertThat(done).hasSize(1);
    assertThat(done.get(0).bytes()).isEqualTo(bytes);
    assertThat(done.get(0).attachmentId()).isEqualTo("c-2/snapshot");
    assertThat(a.pending()).isZero();
  }

  private static JsonObject message(Map<String, Object> m) {
    return GSON.toJsonTree(m).getAsJsonObject();
  }
}
