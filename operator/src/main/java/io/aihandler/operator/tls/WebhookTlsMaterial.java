package io.aihandler.operator.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * What the webhook server and the API server need: the serving certificate and key, and the CA
 * bundle the webhook configurations trust (the current CA first; a retiring one after it while
 * certificates it signed may still be served). {@code caKey} is null when another party
 * (cert-manager) issues the certificates.
 */
public record WebhookTlsMaterial(
    List<X509Certificate> caBundle,
    PrivateKey caKey,
    X509Certificate servingCertificate,
    PrivateKey servingKey) {

  /** The CA that signs new serving certificates. */
  public X509Certificate currentAuthority() {
    return caBundle.get(0);
  }

  /**
   * A server-side TLS context that presents the serving certificate (with its CA) on handshakes.
   */
  public SSLContext serverSslContext() {
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      char[] password = new char[0];
      keyStore.setKeyEntry(
          "webhook",
          servingKey,
          password,
          new Certificate[] {servingCertificate, currentAuthority()});
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keyStore, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the webhook's TLS context", e);
    }
  }

  /** The bundle as PEM, as {@code caBundle} (base64 of this) expects. */
  public String caBundlePem() {
    return WebhookCertificates.toPem(caBundle);
  }
}
