package io.outpost.bridge.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.plugin.AgentService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ssl://} against a real Mosquitto with TLS that requires client certificates: a CA, a
 * server and a client certificate made by {@code openssl} for each run. The bridge trusts the CA
 * from {@code tls.caFile} and authenticates with {@code tls.certFile}/{@code keyFile}; a wrong CA
 * is refused with a clear error in status.
 */
class TlsBrokerTest {
  @TempDir Path dir;
  Mosquitto broker;
  Path pki;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startTlsBroker() throws Exception {
    pki = Files.createDirectories(dir.resolve("pki"));
    ca("ca");
    signed("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1");
    signed("client", "pi-7", "extendedKeyUsage=clientAuth");
    ca("other-ca"); // a CA that signed nothing here
    broker =
        Mosquitto.start(
            dir.resolve("broker"),
            List.of(
                "allow_anonymous true",
                "cafile " + pki.resolve("ca.pem"),
                "certfile " + pki.resolve("server.pem"),
                "keyfile " + pki.resolve("server.key"),
                "require_certificate true",
                "use_identity_as_username true"));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    broker.close();
  }

  void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
  }

  /**
   * {@code openssl req} with a new P-256 key in {@code name.key} for subject {@code cn}; {@code
   * options} say what it writes (a request, or with -x509 a self-signed certificate).
   */
  void newKey(String name, String cn, String... options) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                name + ".key",
                "-subj",
                "/CN=" + cn));
    args.addAll(List.of(options));
    openssl(args.toArray(String[]::new));
  }

  void ca(String name) throws Exception {
    newKey(name, name, "-x509", "-out", name + ".pem", "-days", "2");
  }

  /** A key (PKCS#8, as the bridge wants it) and a certificate signed by "ca". */
  void signed(String name, String cn, String extension) throws Exception {
    newKey(name, cn, "-out", name + ".csr");
    Files.writeString(pki.resolve(name + ".ext"), extension + "\n");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", name + ".key", "-out", name + ".pk8");
  }

  AgentService startBridge(String tls, String protocol) throws Exception {
    String json =
        """
        {"broker": "ssl://127.0.0.1:PORT", "protocol": "PROTO", "keepAlive": "2s", "tls": TLS,
         "out": [{"filter": "meters/#"}]}"""
            .replace("PORT", "" + broker.port)
            .replace("PROTO", protocol)
            .replace("TLS", tls.replace("PKI", pki.toString()));
    @SuppressWarnings("unchecked")
    Map<String, Object> section =
        (Map<String, Object>) Payloads.toJava(com.google.gson.JsonParser.parseString(json));
    TestAgent agent = new TestAgent(section, dir.resolve("state"));
    AgentService s = new BridgeServiceFactory().create(agent).get(0);
    closing.add(agent);
    closing.add(s);
    s.start(agent);
    return s;
  }

  /** A TLS client of the broker with the same client certificate. */
  void publishOverTls(String topic, String message) throws Exception {
    Process p =
        new ProcessBuilder(
                "mosquitto_pub",
                "-h",
                "127.0.0.1",
                "-p",
                "" + broker.port,
                "--cafile",
                pki.resolve("ca.pem").toString(),
                "--cert",
                pki.resolve("client.pem").toString(),
                "--key",
                pki.resolve("client.key").toString(),
                "-t",
                topic,
                "-m",
                message,
                "-q",
                "1")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> brokerStatus(AgentService bridge) {
    return (Map<String, Object>) bridge.status().get("broker");
  }

  @Test
  void trustsTheBrokerThroughTheCaFileAndAuthenticatesWithAClientCertificate() throws Exception {
    for (String protocol : List.of("5", "3.1.1")) {
      AgentService bridge =
          startBridge(
              """
              {"caFile": "PKI/ca.pem", "certFile": "PKI/client.pem", "keyFile": "PKI/client.pk8"}""",
              protocol);
      await().atMost(Duration.ofSeconds(10)).until(() -> bridge.health().equals("ok"));
      publishOverTls("meters/" + protocol, "42");
      TestAgent agent = (TestAgent) closing.get(closing.size() - 2);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> agent.on("devices/pi-7/events").size() == 1);
      assertThat(agent.on("devices/pi-7/events").get(0))
          .containsEntry("topic", "meters/" + protocol)
          .containsEntry("payload", 42L);
      bridge.close();
    }
  }

  @Test
  void aBrokerCertificateFromAnotherCaIsRefusedWithAClearErrorInStatus() throws Exception {
    AgentService bridge =
        startBridge(
            """
            {"caFile": "PKI/other-ca.pem", "certFile": "PKI/client.pem", "keyFile": "PKI/client.pk8"}""",
            "5");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> brokerStatus(bridge).get("lastError") != null);
    assertThat(bridge.health()).startsWith("degraded: broker ssl://127.0.0.1:" + broker.port);
    assertThat(brokerStatus(bridge)).containsEntry("state", "down");
    assertThat((String) brokerStatus(bridge).get("lastError"))
        .contains("TLS: the broker's certificate is not trusted")
        .contains("tls.caFile");
  }

  @Test
  void withoutAClientCertificateTheBrokerRefusesAndStatusSaysSo() throws Exception {
    AgentService bridge = startBridge("{\"caFile\": \"PKI/ca.pem\"}", "5");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> brokerStatus(bridge).get("lastError") != null);
    assertThat(bridge.health()).startsWith("degraded");
    assertThat((String) brokerStatus(bridge).get("lastError"))
        .startsWith("TLS: the broker refused the handshake")
        .endsWith("does it require a client certificate (tls.certFile, tls.keyFile)?");
  }
}
