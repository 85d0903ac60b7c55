package io.aihandler.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosted providers are reached over HTTPS: the sidecar must verify the provider's certificate chain
 * against its trust store and the certificate's names against the host it called. A real sidecar
 * process runs with a test CA as its only trust anchor (as an enterprise CA would be added),
 * against HTTPS stand-ins.
 */
class UpstreamTlsTest {

  private static final Pattern LISTENING =
      Pattern.compile("router listening on http://[^:]+:(\\d+)");
  private static final String COMPLETION =
      """
      {"id":"chatcmpl-1","object":"chat.completion","created":1764000000,"model":"gpt-4o",
       "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
       "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
      """;

  @TempDir Path dir;
  private MockWebServer trusted;
  private MockWebServer untrusted;
  private MockWebServer otherName;
  private Process sidecar;
  private int port;

  @BeforeEach
  void start() throws Exception {
    HeldCertificate authority =
        new HeldCertificate.Builder().certificateAuthority(0).commonName("test CA").build();
    HeldCertificate localhost =
        new HeldCertificate.Builder()
            .signedBy(authority)
            .addSubjectAlternativeName("localhost")
            .build();
    trusted = new MockWebServer();
    trusted.useHttps(
        new HandshakeCertificates.Builder().heldCertificate(localhost).build().sslSocketFactory());
    trusted.start();

    HeldCertificate selfSigned =
        new HeldCertificate.Builder().addSubjectAlternativeName("localhost").build();
    untrusted = new MockWebServer();
    untrusted.useHttps(
        new HandshakeCertificates.Builder().heldCertificate(selfSigned).build().sslSocketFactory());
    untrusted.start();

    HeldCertificate other =
        new HeldCertificate.Builder()
            .signedBy(authority)
            .addSubjectAlternativeName("provider.example")
            .build();
    otherName = new MockWebServer();
    otherName.useHttps(
        new HandshakeCertificates.Builder().heldCertificate(other).build().sslSocketFactory());
    otherName.start();

    Path trustStore = dir.resolve("trust.p12");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("test-ca", authority.certificate());
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      store.store(out, "changeit".toCharArray());
    }

    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        """
        sidecar: {managementHost: 127.0.0.1}
        backends:
          - {name: by-name, provider: openai-compatible, baseUrl: "https://localhost:%1$d/v1", model: gpt-4o}
          - {name: self-signed, provider: openai-compatible, baseUrl: "https://localhost:%2$d/v1", model: gpt-4o}
          - {name: other-name, provider: openai-compatible, baseUrl: "https://localhost:%3$d/v1", model: gpt-4o}
        routes:
          - {name: by-name, maxAttempts: 1, targets: [{backend: by-name}]}
          - {name: self-signed, maxAttempts: 1, targets: [{backend: self-signed}]}
          - {name: other-name, maxAttempts: 1, targets: [{backend: other-name}]}
        """
            .formatted(trusted.getPort(), untrusted.getPort(), otherName.getPort()));

    String java = ProcessHandle.current().info().command().orElse("java");
    sidecar =
        new ProcessBuilder(
                java,
                "-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStorePassword=changeit",
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp",
                System.getProperty("java.class.path"),
                RouterMain.class.getName(),
                "--config",
                config.toString(),
                "--port",
                "0",
                "--management-port",
                "0")
            .redirectErrorStream(true)
            .start();
    port = awaitPort(sidecar);
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.destroyForcibly();
    }
    trusted.close();
    untrusted.close();
    otherName.close();
  }

  private HttpResponse<String> chat(String model) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\""
                            + model
                            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCertificateFromATrustedAuthorityForTheCalledHostIsAccepted() throws Exception {
    trusted.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "application/json")
            .body(COMPLETION)
            .build());
    HttpResponse<String> response = chat("by-name");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"content\":\"ok\"");
    assertThat(trusted.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
    otherName.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "application/json")
            .body(COMPLETION)
            .build());
    HttpResponse<String> response = chat("other-name");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
    assertThat(completedRequests(otherName))
        .as("nothing was sent over the unverified connection")
        .isZero();
  }

  @Test
  void aCertificateFromAnUntrustedAuthorityIsRefused() throws Exception {
    untrusted.enqueue(
        new MockResponse.Builder()
            .code(200)
            .addHeader("content-type", "application/json")
            .body(COMPLETION)
            .build());
    HttpResponse<String> response = chat("self-signed");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
    assertThat(completedRequests(untrusted))
        .as("nothing was sent over the unverified connection")
        .isZero();
  }

  /** Requests that got as far as an HTTP request line (failed handshakes are recorded too). */
  private static int completedRequests(MockWebServer server) throws InterruptedException {
    int completed = 0;
    int recorded = server.getRequestCount();
    for (int i = 0; i < recorded; i++) {
      var request = server.takeRequest();
      if (request.getFailure() == null && request.getMethod() != null) {
        completed++;
      }
    }
    return completed;
  }

  private static int awaitPort(Process p) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = out.readLine()) != null) {
      seen.add(line);
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        int found = Integer.parseInt(m.group(1));
        Thread.ofVirtual().start(() -> out.lines().forEach(ignored -> {}));
        return found;
      }
    }
    throw new AssertionError("the sidecar did not start: " + String.join("\n", seen));
  }
}
