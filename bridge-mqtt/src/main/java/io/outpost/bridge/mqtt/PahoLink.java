package io.outpost.bridge.mqtt;

import javax.net.SocketFactory;

/**
 * What {@link V5Link} and {@link V3Link} share: Paho's two clients have the same life cycle but no
 * common type, so each subclass supplies the client-specific steps for its client type {@code C}
 * and this class runs connect, acknowledge and close the same way for both.
 */
abstract class PahoLink<C> implements MqttLink {
  final BridgeConfig config;
  final String clientId;
  final String password;
  final SocketFactory sockets;
  final Listener listener;
  private volatile C client;

  PahoLink(
      BridgeConfig config,
      String clientId,
      String password,
      SocketFactory sockets,
      Listener listener) {
    this.config = config;
    this.clientId = clientId;
    this.password = password;
    this.sockets = sockets;
    this.listener = listener;
  }

  /** A new client with manual acknowledgements and its callback set to {@link #listener}. */
  abstract C create() throws Exception;

  /**
   * Connects {@code c} with a persistent session, the configured keep-alive, timeout, credentials
   * and socket factory, and no automatic reconnect (the bridge reconnects with its own backoff);
   * blocks until connected or failed.
   */
  abstract void connect(C c) throws Exception;

  abstract boolean isConnected(C c);

  /** Sends the PUBACK of message {@code id}. */
  abstract void acknowledge(C c, int id, int qos) throws Exception;

  /** Disconnects without giving up the session, waiting briefly. */
  abstract void disconnect(C c) throws Exception;

  /** Releases the client's resources. */
  abstract void release(C c) throws Exception;

  /** The connected client; fails when there is none (closed meanwhile). */
  final C client() {
    C c = client;
    if (c == null) {
      throw new IllegalStateException("not connected");
    }
    return c;
  }

  long timeoutMs() {
    return config.connectTimeout().toMillis();
  }

  int keepAliveSeconds() {
    return (int) config.keepAlive().toSeconds();
  }

  int connectTimeoutSeconds() {
    return (int) Math.max(1, config.connectTimeout().toSeconds());
  }

  @Override
  public final void connect() throws Exception {
    close();
    C c = create();
    client = c;
    try {
      connect(c);
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  @Override
  public final boolean connected() {
    C c = client;
    return c != null && isConnected(c);
  }

  @Override
  public final void ack(Incoming message) {
    C c = client;
    if (message.qos() == 0 || c == null) {
      return;
    }
    try {
      acknowledge(c, message.id(), message.qos());
    } catch (Exception e) {
      // Disconnected meanwhile: the broker redelivers it (a duplicate, which consumers dedupe).
    }
  }

  @Override
  public final void close() {
    C c = client;
    client = null;
    if (c == null) {
      return;
    }
    try {
      if (isConnected(c)) {
        disconnect(c);
      }
    } catch (Exception e) {
      // going away anyway
    }
    try {
      release(c);
    } catch (Exception e) {
      // nothing left to release
    }
  }
}
