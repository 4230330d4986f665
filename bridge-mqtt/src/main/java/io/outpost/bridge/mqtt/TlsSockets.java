package io.outpost.bridge.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for {@code ssl://} brokers from PEM files, as Mosquitto users have them: a CA certificate to
 * trust ({@code cafile}) and optionally a client certificate with its PKCS#8 key ({@code certfile},
 * {@code keyfile}).
 */
final class TlsSockets {
  private TlsSockets() {}

  static SSLSocketFactory create(BridgeConfig.Tls tls)
      throws IOException, GeneralSecurityException {
    TrustManagerFactory tmf = null;
    if (tls.caFile() != null) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certificates(tls.caFile())) {
        trust.setCertificateEntry("ca" + i++, c);
      }
      tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
    }
    KeyManagerFactory kmf = null;
    if (tls.certFile() != null) {
      KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
      keys.load(null, null);
      Certificate[] chain = certificates(tls.certFile()).toArray(new Certificate[0]);
      keys.setKeyEntry("client", privateKey(tls.keyFile()), new char[0], chain);
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        kmf == null ? null : kmf.getKeyManagers(),
        tmf == null ? null : tmf.getTrustManagers(),
        null);
    return ctx.getSocketFactory();
  }

  private static Collection<? extends Certificate> certificates(Path file)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file);
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new GeneralSecurityException(
          file
              + ": expected a PKCS#8 key (\"BEGIN PRIVATE KEY\"); convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
    }
    String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(b64);
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(file + ": not an RSA, EC or Ed25519 private key");
  }

  /**
   * What a failed TLS connection means in the bridge's configuration terms, or null when {@code e}
   * is not a TLS failure: an untrusted broker certificate names {@code tls.caFile}, a refused
   * handshake suggests the client certificate.
   */
  static String explain(Throwable e, BridgeConfig.Tls tls) {
    javax.net.ssl.SSLException ssl = null;
    String chain = "";
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (ssl == null && t instanceof javax.net.ssl.SSLException x) {
        ssl = x;
      }
      chain += " " + t.getClass().getName() + ": " + t.getMessage();
    }
    if (ssl == null) {
      return null;
    }
    String trust =
        tls.caFile() == null
            ? "the JDK's trust store (no tls.caFile)"
            : "tls.caFile " + tls.caFile();
    if (chain.contains("PKIX") || chain.contains("CertPath")) {
      return "TLS: the broker's certificate is not trusted by " + trust + ": " + ssl.getMessage();
    }
    if (chain.contains("No subject alternative") || chain.contains("No name matching")) {
      return "TLS: the broker's certificate does not name the host of the broker URL: "
          + ssl.getMessage();
    }
    if (chain.contains("alert")) {
      return "TLS: the broker refused the handshake ("
          + ssl.getMessage()
          + ")"
          + (tls.certFile() == null
              ? "; does it require a client certificate (tls.certFile, tls.keyFile)?"
              : "; does it trust the CA of tls.certFile " + tls.certFile() + "?");
    }
    return "TLS: " + ssl.getMessage();
  }
}
