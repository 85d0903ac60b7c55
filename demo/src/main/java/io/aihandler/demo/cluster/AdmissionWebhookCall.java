package io.aihandler.demo.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aihandler.operator.tls.WebhookCertificates;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends a pod through the operator's mutating webhook the way the API server does: an {@code
 * AdmissionReview} over HTTPS, trusting only the CA the operator published in its TLS Secret, and
 * applies the JSON patch of the answer.
 */
public final class AdmissionWebhookCall {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final SSLContext tls;
  private final String serviceDnsName;
  private final URI endpoint;

  /**
   * @param tlsSecretNamespace namespace of the operator's webhook TLS Secret
   * @param tlsSecretName its name; {@code ca.crt} is the CA to trust
   * @param serviceDnsName the webhook Service's DNS name the certificate must carry, as the API
   *     server dials it (e.g. {@code aihandler-webhook.aihandler-system.svc})
   * @param url where the webhook listens on this machine, e.g. {@code
   *     https://127.0.0.1:9443/mutate-pods}
   */
  public AdmissionWebhookCall(
      KubernetesClient client,
      String tlsSecretNamespace,
      String tlsSecretName,
      String serviceDnsName,
      URI url) {
    this.client = client;
    this.endpoint = url;
    this.serviceDnsName = serviceDnsName;
    Secret secret = client.secrets().inNamespace(tlsSecretNamespace).withName(tlsSecretName).get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey("ca.crt")) {
      throw new IllegalStateException(
          "the operator has not published its webhook CA in Secret "
              + tlsSecretNamespace
              + "/"
              + tlsSecretName);
    }
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      var certificates =
          WebhookCertificates.certificatesFromPem(
              new String(
                  Base64.getDecoder().decode(secret.getData().get("ca.crt")),
                  StandardCharsets.US_ASCII));
      for (int i = 0; i < certificates.size(); i++) {
        trust.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      this.tls = SSLContext.getInstance("TLS");
      tls.init(null, factory.getTrustManagers(), null);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the webhook CA: " + e.getMessage(), e);
    }
  }

  /**
   * The API server dials the webhook Service by its DNS name; here it is reached on loopback, so
   * the certificate is checked for that Service name instead of the address dialled.
   */
  private boolean namesTheService(SSLSession session) {
    try {
      X509Certificate serving = (X509Certificate) session.getPeerCertificates()[0];
      Collection<List<?>> names = serving.getSubjectAlternativeNames();
      return names != null
          && names.stream()
              .anyMatch(
                  n -> Integer.valueOf(2).equals(n.get(0)) && serviceDnsName.equals(n.get(1)));
    } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
      return false;
    }
  }

  /** The answer: whether the pod was admitted, the patched pod, and the patch itself. */
  public record Admission(boolean allowed, String message, Pod pod, JsonNode patch) {}

  /** Sends a CREATE of the pod; returns the pod as the API server would store it. */
  public Admission create(Pod pod) {
    String podJson = client.getKubernetesSerialization().asJson(pod);
    String review;
    try {
      var request = JSON.createObjectNode();
      request.put("apiVersion", "admission.k8s.io/v1");
      request.put("kind", "AdmissionReview");
      var inner = request.putObject("request");
      inner.put("uid", UUID.randomUUID().toString());
      inner.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
      inner.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
      inner.put("namespace", pod.getMetadata().getNamespace());
      inner.put("operation", "CREATE");
      inner
          .putObject("userInfo")
          .put("username", "system:serviceaccount:kube-system:replicaset-controller");
      inner.set("object", JSON.readTree(podJson));
      inner.put("dryRun", false);
      review = JSON.writeValueAsString(request);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    int status;
    String body;
    try {
      HttpsURLConnection connection = (HttpsURLConnection) endpoint.toURL().openConnection();
      connection.setSSLSocketFactory(tls.getSocketFactory());
      connection.setHostnameVerifier((host, session) -> namesTheService(session));
      connection.setConnectTimeout(5_000);
      connection.setReadTimeout(10_000);
      connection.setRequestMethod("POST");
      connection.setRequestProperty("Content-Type", "application/json");
      connection.setDoOutput(true);
      try (OutputStream out = connection.getOutputStream()) {
        out.write(review.getBytes(StandardCharsets.UTF_8));
      }
      status = connection.getResponseCode();
      try (InputStream in =
          status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
        body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "the webhook at " + endpoint + " cannot be reached over TLS: " + e.getMessage(), e);
    }
    if (status != 200) {
      throw new IllegalStateException("the webhook answered HTTP " + status + ": " + body);
    }
    try {
      JsonNode answer = JSON.readTree(body).path("response");
      boolean allowed = answer.path("allowed").asBoolean(false);
      String message = answer.at("/status/message").asText("");
      if (!allowed || !answer.hasNonNull("patch")) {
        return new Admission(allowed, message, pod, JSON.createArrayNode());
      }
      JsonNode patch = JSON.readTree(Base64.getDecoder().decode(answer.get("patch").asText()));
      JsonNode patched = JsonPatch.apply(patch, JSON.readTree(podJson));
      return new Admission(
          true,
          message,
          client.getKubernetesSerialization().convertValue(patched, Pod.class),
          patch);
    } catch (IOException e) {
      throw new IllegalStateException(
          "the webhook's answer is not an AdmissionReview: " + e.getMessage(), e);
    }
  }
}
