package io.outpost.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs a relay on a free loopback port: started before each test (or once
 * for the class when the field is static) and closed after it. The port is picked once, so {@link
 * #restart()} brings the relay back where clients expect it.
 *
 * <pre>{@code
 * @RegisterExtension
 * final RelayExtension<Relay> relay =
 *     RelayExtension.of(port -> Relay.start(RelaySettings.builder()
 *         .listen(new InetSocketAddress("127.0.0.1", port)).keys(keys).build()));
 * }</pre>
 *
 * <p>The relay is created through the factory, not named here: the relay's own tests use this
 * module too, and a compile-time dependency on the relay would be a cycle.
 *
 * @param <R> the relay type
 */
public final class RelayExtension<R extends AutoCloseable>
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  /** Starts a relay listening on {@code 127.0.0.1:port}. */
  @FunctionalInterface
  public interface Starter<R> {
    R start(int port) throws IOException;
  }

  private final Starter<R> starter;
  private final int port;
  private boolean perClass;
  private R relay;

  private RelayExtension(Starter<R> starter, int port) {
    this.starter = starter;
    this.port = port;
  }

  /** An extension running the relay {@code starter} makes, on a free loopback port. */
  public static <R extends AutoCloseable> RelayExtension<R> of(Starter<R> starter) {
    return new RelayExtension<>(starter, freePort());
  }

  /** A TCP port nothing listens on right now, on the loopback interface. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The running relay. */
  public R relay() {
    if (relay == null) {
      throw new IllegalStateException("the relay is not running");
    }
    return relay;
  }

  public int port() {
    return port;
  }

  /** {@code ws://127.0.0.1:port}. */
  public URI origin() {
    return URI.create("ws://127.0.0.1:" + port);
  }

  /** Stops the relay (a test simulating an outage); {@link #start()} brings it back. */
  public void stop() throws Exception {
    R r = relay;
    relay = null;
    if (r != null) {
      r.close();
    }
  }

  /** Starts the relay on the same port. */
  public void start() throws IOException {
    if (relay != null) {
      throw new IllegalStateException("the relay is already running");
    }
    relay = starter.start(port);
  }

  /** Stops and starts the relay on the same port. */
  public void restart() throws Exception {
    stop();
    start();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    perClass = true;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    if (!perClass) {
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      stop();
    }
  }
}
