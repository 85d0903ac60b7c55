package io.aihandler.operator.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A client TLS context that trusts the JDK's public CAs plus the certificates of a PEM bundle, e.g.
 * the CA of a TLS-intercepting egress proxy or of an internal provider gateway ({@code
 * PROVIDER_ENDPOINTS}). Installed as the JVM default, it is what the provider key checks' HTTP
 * clients use; the Kubernetes client keeps its own trust (the service account's CA).
 */
public final class ExtraTrustedCertificates {

  /** A PEM bundle is a few certificates; anything larger is not one. */
  static final long MAX_BUNDLE_BYTES = 1 << 20;

  private ExtraTrustedCertificates() {}

  /**
   * The context trusting the default CAs and every certificate in {@code pemBundle}.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
   */
  public static SSLContext clientContext(Path pemBundle) {
    List<X509Certificate> extra = read(pemBundle);
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int n = 0;
      for (X509Certificate certificate : defaultTrust().getAcceptedIssuers()) {
        trusted.setCertificateEntry("default-" + n++, certificate);
      }
      for (X509Certificate certificate : extra) {
        trusted.setCertificateEntry("extra-" + n++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context trusting " + pemBundle, e);
    }
  }

  private static List<X509Certificate> read(Path pemBundle) {
    String pem;
    try {
      if (Files.size(pemBundle) > MAX_BUNDLE_BYTES) {
        throw new IllegalArgumentException(
            "EXTRA_CA_BUNDLE " + pemBundle + " is larger than " + MAX_BUNDLE_BYTES + " bytes");
      }
      pem = Files.readString(pemBundle);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "EXTRA_CA_BUNDLE " + pemBundle + " cannot be read: " + e.getMessage(), e);
    }
    List<X509Certificate> certificates;
    try {
      certificates = new ArrayList<>(WebhookCertificates.certificatesFromPem(pem));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "EXTRA_CA_BUNDLE " + pemBundle + " is not a PEM certificate bundle", e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("EXTRA_CA_BUNDLE " + pemBundle + " holds no certificate");
    }
    return certificates;
  }

  private static X509TrustManager defaultTrust() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    for (var manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new IllegalStateException("the JDK has no X.509 trust manager");
  }
}
