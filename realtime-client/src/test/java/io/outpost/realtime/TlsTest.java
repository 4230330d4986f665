package io.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonPrimitive;
import io.outpost.realtime.internal.TlsSupport;
import io.outpost.relay.Relay;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * wss against a local TLS terminator (self-signed certificate made with keytool at test time) in
 * front of the relay: custom trust store, public-key pinning, SNI, and refusal of untrusted,
 * mis-pinned or misnamed servers.
 */
@Timeout(60)
class TlsTest {

  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path dir;
  private static Relay relay;
  private static TlsTerminator terminator;

  /** Serves a trusted certificate issued for another name (elsewhere.example). */
  private static TlsTerminator elsewhere;

  private static KeyStore trustStore;
  private static String serverPin;

  @BeforeAll
  static void start() throws Exception {
    KeyStore serverKeys = generate("server", "SAN=dns:localhost,ip:127.0.0.1");
    X509Certificate certificate = (X509Certificate) serverKeys.getCertificate("relay");
    serverPin = TlsSupport.spkiSha256(certificate);
    KeyStore elsewhereKeys = generate("elsewhere", "SAN=dns:elsewhere.example");
    trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    trustStore.setCertificateEntry("relay", certificate);
    trustStore.setCertificateEntry("elsewhere", elsewhereKeys.getCertificate("relay"));

    relay = TestRelay.start();
    terminator = new TlsTerminator(serverKeys, relay.port());
    elsewhere = new TlsTerminator(elsewhereKeys, relay.port());
  }

  /** A self-signed EC key pair (alias "relay") made by keytool, with the given SAN extension. */
  private static KeyStore generate(String name, String san) throws Exception {
    Path keystore = dir.resolve(name + ".p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "relay",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + name,
                "-ext",
                san,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as("keytool: " + output).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD);
    }
    return keys;
  }

  @AfterAll
  static void stop() throws IOException {
    terminator.close();
    elsewhere.close();
    relay.close();
  }

  private RealtimeConfig.Builder wss(String peerId) {
    return TestRelay.config(relay, peerId).url("wss://127.0.0.1:" + terminator.port());
  }

  @Test
  void connectsWithACustomTrustStore() throws Exception {
    try (RealtimeClient client =
        RealtimeClient.create(wss("tls-1").trustStore(trustStore).build())) {
      assertThat(client.connect().get(10, TimeUnit.SECONDS).peerId()).isEqualTo("tls-1");
      client.publish("secure", new JsonPrimitive(1)).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void connectsWhenThePinMatches() throws Exception {
    try (RealtimeClient client =
        RealtimeClient.create(
            wss("tls-2").trustStore(trustStore).pinPublicKey("sha256/" + serverPin).build())) {
      assertThat(client.connect().get(10, TimeUnit.SECONDS).peerId()).isEqualTo("tls-2");
    }
  }

  @Test
  void refusesAServerWhoseKeyIsNotPinned() {
    String otherPin = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    try (RealtimeClient client =
        RealtimeClient.create(wss("tls-3").trustStore(trustStore).pinPublicKey(otherPin).build())) {
      assertThatThrownBy(() -> client.connect().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ConnectFailedException.class)
          .hasMessageContaining(
              "TLS to wss://127.0.0.1:"
                  + terminator.port()
                  + "/v1 refused: certificate pin mismatch")
          .hasMessageContaining("sha256/" + serverPin)
          .hasMessageContaining(otherPin);
      assertThat(client.state()).isEqualTo(State.CLOSED);
    }
  }

  @Test
  void refusesAnUntrustedCertificateByDefault() {
    try (RealtimeClient client = RealtimeClient.create(wss("tls-4").build())) {
      assertThatThrownBy(() -> client.connect().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ConnectFailedException.class)
          .hasMessageStartingWith(
              "TLS handshake with wss://127.0.0.1:" + terminator.port() + "/v1 failed: ");
    }
  }

  @Test
  void sendsTheHostNameAsSniAndVerifiesIt() throws Exception {
    try (RealtimeClient client =
        RealtimeClient.create(
            wss("tls-5")
                .url("wss://localhost:" + terminator.port())
                .trustStore(trustStore)
                .build())) {
      assertThat(client.connect().get(10, TimeUnit.SECONDS).peerId()).isEqualTo("tls-5");
    }
    assertThat(terminator.serverNames).contains("localhost");
  }

  @Test
  void refusesATrustedCertificateIssuedForAnotherName() {
    try (RealtimeClient client =
        RealtimeClient.create(
            wss("tls-6")
                .url("wss://127.0.0.1:" + elsewhere.port())
                .trustStore(trustStore)
                .build())) {
      assertThatThrownBy(() -> client.connect().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ConnectFailedException.class)
          .hasMessageStartingWith(
              "TLS handshake with wss://127.0.0.1:" + elsewhere.port() + "/v1 failed: ")
          .hasMessageContaining("127.0.0.1");
    }
  }

  /**
   * Accepts TLS on a loopback port and forwards the plaintext to the relay; records the server
   * names clients asked for (SNI).
   */
  static final class TlsTerminator implements AutoCloseable {
    private final SSLServerSocket server;
    final List<String> serverNames = new CopyOnWriteArrayList<>();

    TlsTerminator(KeyStore keys, int relayPort) throws Exception {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      server =
          (SSLServerSocket)
              context
                  .getServerSocketFactory()
                  .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    SSLSocket tls = (SSLSocket) server.accept();
                    if (tls.getSession() instanceof ExtendedSSLSession session) {
                      for (SNIServerName sni : session.getRequestedServerNames()) {
                        if (sni instanceof SNIHostName host) {
                          serverNames.add(host.getAsciiName());
                        }
                      }
                    }
                    Socket plain = new Socket(InetAddress.getLoopbackAddress(), relayPort);
                    pump(tls, plain);
                    pump(plain, tls);
                  } catch (IOException e) {
                    // closed, or a client that aborted its handshake
                  }
                }
              },
              "test-tls-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private static void pump(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                byte[] buffer = new byte[16384];
                try (from;
                    to) {
                  InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream();
                  for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                } catch (IOException e) {
                  // connection over
                }
              },
              "test-tls-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
