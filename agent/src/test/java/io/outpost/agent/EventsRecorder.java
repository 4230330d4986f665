package io.outpost.agent;

import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.outpost.realtime.ChannelMessage;
import io.outpost.realtime.DirectMessage;
import io.outpost.realtime.RealtimeClient;
import io.outpost.realtime.RealtimeConfig;
import io.outpost.realtime.RealtimeListener;
import io.outpost.realtime.ReconnectPolicy;
import io.outpost.realtime.ReplayEnvelope;
import io.outpost.realtime.TokenProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An independent subscriber (a backend, as in the IoT guide) that records everything on {@code
 * devices/*}{@code /events} (the messages inside replay envelopes, unpacked) and every direct
 * message it gets; reconnects when the relay restarts.
 */
public final class EventsRecorder implements AutoCloseable {
  private final List<JsonObject> messages = new CopyOnWriteArrayList<>();
  private final List<JsonObject> directs = new CopyOnWriteArrayList<>();
  private final Map<String, Set<Long>> seqsByStream = new ConcurrentHashMap<>();
  private final RealtimeClient client;

  public EventsRecorder(RelayFixture relay, String peerId) throws Exception {
    TokenProvider tokens =
        () ->
            CompletableFuture.completedFuture(
                relay.mint(
                    peerId,
                    List.of("devices/**", "fleets/**"),
                    List.of("subscribe", "publish", "send")));
    client =
        RealtimeClient.create(
            RealtimeConfig.builder()
                .url(relay.origin())
                .tokenProvider(tokens)
                .reconnect(ReconnectPolicy.DEVICE)
                .reconnectMaxDelay(Duration.ofSeconds(1))
                .build(),
            new RealtimeListener() {
              @Override
              public void onMessage(ChannelMessage m) {
                // A replay envelope stands for the stored messages in it, each as if alone.
                for (JsonElement data : ReplayEnvelope.unpack(m.data())) {
                  if (data.isJsonObject()) {
                    record(data.getAsJsonObject());
                  }
                }
              }

              @Override
              public void onDirect(DirectMessage m) {
                if (m.data().isJsonObject()) {
                  directs.add(m.data().getAsJsonObject());
                }
              }
            });
    client.connect().get();
    client.subscribe("devices/*/events").get();
  }

  private void record(JsonObject o) {
    messages.add(o);
    if (o.has("stream") && o.has("seq")) {
      seqsByStream
          .computeIfAbsent(o.get("stream").getAsString(), k -> ConcurrentHashMap.newKeySet())
          .add(o.get("seq").getAsLong());
    }
  }

  public RealtimeClient client() {
    return client;
  }

  public List<JsonObject> messages() {
    return messages;
  }

  public List<JsonObject> directs() {
    return directs;
  }

  public JsonObject awaitMessage(Predicate<JsonObject> p, Duration timeout) {
    await().atMost(timeout).until(() -> messages.stream().anyMatch(p));
    return messages.stream().filter(p).findFirst().orElseThrow();
  }

  public static Predicate<JsonObject> type(String type) {
    return o -> o.has("type") && type.equals(o.get("type").getAsString());
  }

  public Map<String, Set<Long>> seqsByStream() {
    return seqsByStream;
  }

  /**
   * Every sequence number missing from 1..max of {@code stream} that no buffer.dropped message
   * accounts for.
   */
  public Set<Long> unexplainedGaps(String stream) {
    Set<Long> seen = new TreeSet<>(seqsByStream.getOrDefault(stream, Set.of()));
    long max = seen.stream().mapToLong(Long::longValue).max().orElse(0);
    Set<Long> gaps = new TreeSet<>();
    for (long s = 1; s <= max; s++) {
      if (!seen.contains(s)) {
        gaps.add(s);
      }
    }
    for (JsonObject o : messages) {
      if ("buffer.dropped".equals(o.get("type").getAsString())
          && o.has("fromSeq")
          && stream.equals(o.get("stream").getAsString())) {
        for (long s = o.get("fromSeq").getAsLong(); s <= o.get("toSeq").getAsLong(); s++) {
          gaps.remove(s);
        }
      }
    }
    return gaps;
  }

  public static JsonElement field(JsonObject o, String path) {
    JsonElement e = o;
    for (String p : path.split("\\.")) {
      e = e.getAsJsonObject().get(p);
    }
    return e;
  }

  @Override
  public void close() {
    client.close();
  }
}
