package io.outpost.bench.client;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.container.jdk.client.JdkClientContainer;

/**
 * The baseline: a bare Tyrus client (a general-purpose WebSocket client, on its JDK NIO container),
 * sending the same publish frames and matching acks by requestId with a substring search. Nothing
 * else (no validation, pacing, timers, event thread).
 */
final class BareTyrusPublisher implements AutoCloseable {

  private final ClientManager manager =
      ClientManager.createClient(JdkClientContainer.class.getName());
  private final Map<String, Long> pending = new ConcurrentHashMap<>();
  private final CountDownLatch welcomed = new CountDownLatch(1);
  private volatile LongConsumer onAck = nanos -> {};
  private Session session;

  void connect(URI uri) throws Exception {
    // The baseline is not slowed by Tyrus' per-frame idle timer (no idle timeout, as in the
    // client).
    manager.setDefaultMaxSessionIdleTimeout(-1);
    session =
        manager.connectToServer(
            new Endpoint() {
              @Override
              public void onOpen(Session s, EndpointConfig config) {
                s.addMessageHandler(
                    String.class, (MessageHandler.Whole<String>) BareTyrusPublisher.this::onText);
              }

              @Override
              public void onClose(Session s, CloseReason reason) {
                // bench ends
              }
            },
            ClientEndpointConfig.Builder.create().build(),
            uri);
    if (!welcomed.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no welcome from the relay");
    }
  }

  private void onText(String text) {
    if (text.contains("\"type\":\"welcome\"")) {
      welcomed.countDown();
      return;
    }
    int at = text.indexOf("\"requestId\":\"");
    if (at < 0 || !text.contains("\"type\":\"ack\"")) {
      return;
    }
    int start = at + 13;
    String id = text.substring(start, text.indexOf('"', start));
    Long sentAt = pending.remove(id);
    if (sentAt != null) {
      onAck.accept(System.nanoTime() - sentAt);
    }
  }

  /** Called with the ack latency in nanoseconds, on a transport thread. */
  void onAck(LongConsumer consumer) {
    this.onAck = consumer;
  }

  void publish(String requestId, String frame) {
    pending.put(requestId, System.nanoTime());
    session.getAsyncRemote().sendText(frame);
  }

  @Override
  public void close() throws Exception {
    if (session != null) {
      session.close();
    }
    manager.shutdown();
  }
}
