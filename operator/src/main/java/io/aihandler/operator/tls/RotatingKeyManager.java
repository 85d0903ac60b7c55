package io.aihandler.operator.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents whatever serving certificate is current: a renewed certificate is used from the next
 * handshake on, without restarting the server or dropping connections.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {

  private static final String ALIAS = "webhook";

  private final AtomicReference<WebhookTlsMaterial> current;

  public RotatingKeyManager(WebhookTlsMaterial initial) {
    this.current = new AtomicReference<>(initial);
  }

  /** Serve this material from the next handshake on. */
  public void update(WebhookTlsMaterial material) {
    current.set(material);
  }

  public WebhookTlsMaterial current() {
    return current.get();
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    WebhookTlsMaterial material = current.get();
    return new X509Certificate[] {material.servingCertificate(), material.currentAuthority()};
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return current.get().servingKey();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[0];
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
