package io.outpost.realtime.internal;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the {@link SSLContext} for {@code wss}: the JDK trust store or a custom one, plus optional
 * SubjectPublicKeyInfo SHA-256 pinning of the leaf certificate. Hostname verification stays on (the
 * transport sets the HTTPS endpoint identification algorithm on each socket).
 */
public final class TlsSupport {

  private TlsSupport() {}

  /** Thrown (inside the handshake) when no pin matches; its message is what the caller sees. */
  public static final class PinMismatchException extends CertificateException {
    private static final long serialVersionUID = 1L;

    PinMismatchException(String message) {
      super(message);
    }
  }

  /**
   * An SSL context trusting {@code trustStore} (JDK default when {@code null}) and enforcing {@code
   * pins}.
   */
  public static SSLContext context(KeyStore trustStore, Set<String> pins)
      throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore);
    X509ExtendedTrustManager base = null;
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        base = x;
        break;
      }
    }
    if (base == null) {
      throw new GeneralSecurityException("no X509 trust manager available");
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {pins.isEmpty() ? base : new Pinning(base, pins)}, null);
    return context;
  }

  /** base64(SHA-256(SubjectPublicKeyInfo)) of a certificate, the form pins are written in. */
  public static String spkiSha256(X509Certificate certificate) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
      return Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static final class Pinning extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Set<String> pins;

    Pinning(X509ExtendedTrustManager delegate, Set<String> pins) {
      this.delegate = delegate;
      this.pins = pins;
    }

    private void checkPin(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new PinMismatchException("server presented no certificate");
      }
      String actual = spkiSha256(chain[0]);
      if (!pins.contains(actual)) {
        throw new PinMismatchException(
            "certificate pin mismatch: server key sha256/"
                + actual
                + " ("
                + chain[0].getSubjectX500Principal().getName()
                + ") is not one of the pinned keys "
                + pins.stream().map(p -> "sha256/" + p).toList());
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
      checkPin(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, engine);
      checkPin(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
      checkPin(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
