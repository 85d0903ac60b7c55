package io.aihandler.operator;

import io.aihandler.operator.tls.WebhookCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Posts bodies to the operator's webhook server over TLS, trusting the CA the operator wrote. */
final class WebhookClient {

  private WebhookClient() {}

  /** The HTTP status of one POST of {@code body} to {@code path}. */
  static int post(KubernetesClient client, int port, String path, String body) throws Exception {
    Secret tls =
        client.secrets().inNamespace("aihandler-system").withName("aihandler-webhook-tls").get();
    var authority =
        WebhookCertificates.certificatesFromPem(
                new String(
                    Base64.getDecoder().decode(tls.getData().get("ca.crt")),
                    StandardCharsets.US_ASCII))
            .get(0);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", authority);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    var connection =
        (HttpsURLConnection)
            URI.create("https://127.0.0.1:" + port + path).toURL().openConnection();
    connection.setSSLSocketFactory(context.getSocketFactory());
    connection.setHostnameVerifier((host, session) -> true);
    connection.setRequestMethod("POST");
    connection.setRequestProperty("Content-Type", "application/json");
    connection.setDoOutput(true);
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    int status = connection.getResponseCode();
    connection.disconnect();
    return status;
  }
}
