package io.outpost.realtime;

import com.google.gson.JsonObject;
import io.outpost.log.JulBridge;
import io.outpost.relay.Relay;
import io.outpost.relay.RelayKeys;
import io.outpost.relay.RelaySettings;
import io.outpost.relay.TokenRequest;
import io.outpost.testsupport.RelayExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Starts relays on loopback and builds client configurations pointing at them. */
final class TestRelay {

  static {
    JulBridge.install();
  }

  private TestRelay() {}

  /** A relay on an ephemeral loopback port with development keys. */
  static Relay start() {
    return start(RelayKeys.development(), 0, b -> {});
  }

  static Relay start(Consumer<RelaySettings.Builder> customize) {
    return start(RelayKeys.development(), 0, customize);
  }

  /** A relay with development keys, run on a free port by a JUnit extension around each test. */
  static RelayExtension<Relay> extension(Consumer<RelaySettings.Builder> customize) {
    return RelayExtension.of(port -> start(RelayKeys.development(), port, customize));
  }

  /**
   * A relay on {@code port} (0 = ephemeral) with these keys, e.g. to restart one on the same port.
   */
  static Relay start(RelayKeys keys, int port, Consumer<RelaySettings.Builder> customize) {
    RelaySettings.Builder b =
        RelaySettings.builder()
            .listen(new InetSocketAddress("127.0.0.1", port))
            .keys(keys)
            // Some tests push more at the client than its own inbound limits allow (1 MB frames, a
            // 16 Mi-char backlog); the relay's slow-consumer cap (1 MiB by default) must not act
            // first.
            .outboundLimit(64L * 1024 * 1024);
    customize.accept(b);
    try {
      return Relay.start(b.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A token provider minting a fresh JWT for {@code peerId} on each call, valid for {@code ttl}.
   */
  static TokenProvider tokens(Relay minter, String peerId, Duration ttl, JsonObject peerMetadata) {
    return () ->
        CompletableFuture.completedFuture(
            minter.mintToken(
                TokenRequest.builder(peerId).ttl(ttl).peerMetadata(peerMetadata).build()));
  }

  static JsonObject named(String name) {
    JsonObject m = new JsonObject();
    m.addProperty("name", name);
    return m;
  }

  /** A config for {@code peerId} with fast reconnects, suitable for loopback tests. */
  static RealtimeConfig.Builder config(Relay relay, String peerId) {
    return RealtimeConfig.builder()
        .url(relay.webSocketOrigin())
        .tokenProvider(tokens(relay, peerId, Duration.ofHours(1), named(peerId.toUpperCase())))
        .reconnectInitialDelay(Duration.ofMillis(100))
        .reconnectMaxDelay(Duration.ofSeconds(1))
        .closeTimeout(Duration.ofSeconds(2));
  }
}
