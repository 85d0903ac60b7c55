package io.aihandler.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.Manifests;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.operator.tls.ExtraTrustedCertificates;
import io.aihandler.operator.tls.RotatingKeyManager;
import io.aihandler.operator.tls.WebhookCertificates;
import io.aihandler.operator.tls.WebhookTlsMaterial;
import io.aihandler.operator.tls.WebhookTlsRenewal;
import io.aihandler.operator.tls.WebhookTlsSettings;
import io.javaoperatorsdk.webhook.admission.AdmissionController;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AdmissionReview that the chart's {@code helm test} pod sends
 * (templates/tests/webhook-test.yaml) is answered by the real validating webhook with the response
 * its script greps for, so a green {@code helm test} means the webhook works, and a change to
 * either side that breaks it fails here.
 */
class ChartHelmTestReviewTest {

  @Test
  void theReviewOfTheHelmTestPodGetsTheAnswerItsScriptExpects(@TempDir Path dir) throws Exception {
    String template =
        Files.readString(
            Manifests.repositoryRoot()
                .resolve("charts/aihandler/templates/tests/webhook-test.yaml"));
    Matcher review = Pattern.compile("review='(\\{.*})'").matcher(template);
    Matcher expected = Pattern.compile("grep -q '(.*)'").matcher(template);
    assertThat(review.find()).as("the AdmissionReview in the test pod's script").isTrue();
    assertThat(expected.find()).as("what the script greps for").isTrue();

    WebhookTlsMaterial material =
        WebhookTlsRenewal.decide(
                Optional.empty(), WebhookTlsSettings.defaults("aihandler-system"), Instant.now())
            .material();
    AdmissionWebhookServer server =
        new AdmissionWebhookServer(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            new RotatingKeyManager(material),
            Map.of(
                "/validate-workflows",
                new AdmissionController<Workflow>(new WorkflowValidationWebhook())));
    server.start();
    try {
      // The pod trusts the ca.crt of the webhook's TLS Secret, as the webhook configurations do.
      Path ca =
          Files.writeString(
              dir.resolve("ca.crt"),
              WebhookCertificates.toPem(List.of(material.currentAuthority())));
      SSLSocketFactory trusting = ExtraTrustedCertificates.clientContext(ca).getSocketFactory();
      assertThat(call(trusting, server.port(), "/healthz", null)).isEqualTo("ok");
      String answer = call(trusting, server.port(), "/validate-workflows", review.group(1));
      assertThat(answer).contains(expected.group(1)).contains("\"allowed\":true");
    } finally {
      server.close();
    }
  }

  /** What curl --cacert does; the certificate names the Service, and this dials 127.0.0.1. */
  private static String call(SSLSocketFactory trusting, int port, String path, String body)
      throws Exception {
    var connection =
        (HttpsURLConnection)
            URI.create("https://127.0.0.1:" + port + path).toURL().openConnection();
    connection.setSSLSocketFactory(trusting);
    connection.setHostnameVerifier((host, session) -> true);
    connection.setConnectTimeout(30_000);
    connection.setReadTimeout(30_000);
    if (body != null) {
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", "application/json");
      try (var out = connection.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(connection.getResponseCode()).as(path).isEqualTo(200);
    try (var in = connection.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      connection.disconnect();
    }
  }
}
