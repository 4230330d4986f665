package io.outpost.agent.uplink;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A link that keeps what the uplink sends, in order, as the JSON text that would go into a frame.
 * Each message is acked at once unless {@link #answer} says otherwise ({@code null} = ack, a {@link
 * Refused} is permanent, any other throwable transient).
 */
final class FakeLink implements Link {
  /** One network message. {@code to} is set for a direct message, else {@code channel}. */
  record Sent(String channel, String to, String json) {
    JsonElement data() {
      return JsonParser.parseString(json);
    }

    boolean replay() {
      return data().isJsonObject()
          && "replay".equals(data().getAsJsonObject().get("type").getAsString());
    }
  }

  /** What the server says when retrying cannot help. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  private final List<CompletableFuture<Void>> held = new ArrayList<>();
  volatile Function<Sent, Throwable> answer = s -> null;

  /** While true, nothing is answered: each future waits until {@link #release()}. */
  volatile boolean hold;

  @Override
  public void start(Events events) {}

  @Override
  public void subscribe(String channel) {}

  @Override
  public CompletableFuture<Void> publish(String channel, JsonElement data) {
    return record(new Sent(channel, null, data.toString()));
  }

  @Override
  public CompletableFuture<Void> publishJson(String channel, String json) {
    JsonParser.parseString(json); // what the real client checks before sending
    return record(new Sent(channel, null, json));
  }

  @Override
  public CompletableFuture<Void> send(String peerId, JsonElement data) {
    return record(new Sent(null, peerId, data.toString()));
  }

  private CompletableFuture<Void> record(Sent s) {
    synchronized (sent) {
      sent.add(s);
      if (hold) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        held.add(f);
        return f;
      }
    }
    Throwable t = answer.apply(s);
    return t == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(t);
  }

  /** Acks everything held and stops holding. */
  void release() {
    List<CompletableFuture<Void>> now;
    synchronized (sent) {
      hold = false;
      now = new ArrayList<>(held);
      held.clear();
    }
    now.forEach(f -> f.complete(null));
  }

  List<Sent> sent() {
    synchronized (sent) {
      return new ArrayList<>(sent);
    }
  }

  @Override
  public boolean connected() {
    return true;
  }

  @Override
  public Map<String, Object> status() {
    return Map.of();
  }

  @Override
  public Failure classify(Throwable error) {
    return error instanceof Refused ? Failure.PERMANENT : Failure.TRANSIENT;
  }

  @Override
  public void close() {}
}
