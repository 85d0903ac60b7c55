package io.aihandler.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A provider gateway signed by a private CA is reachable once its CA bundle is trusted. */
class ExtraTrustedCertificatesTest {

  @Test
  void aClientTrustingTheBundleReachesAServerItsCaSigned(@TempDir Path dir) throws Exception {
    Instant now = Instant.now();
    WebhookCertificates.Issued ca =
        WebhookCertificates.newAuthority("corp egress CA", now, Duration.ofDays(1));
    WebhookCertificates.Issued serving =
        WebhookCertificates.newServingCertificate(
            ca, List.of("localhost"), now, Duration.ofDays(1));
    WebhookTlsMaterial material =
        new WebhookTlsMaterial(
            List.of(ca.certificate()),
            ca.privateKey(),
            serving.certificate(),
            serving.privateKey());
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(material.serverSslContext()));
    server.createContext(
        "/v1/models",
        exchange -> {
          exchange.sendResponseHeaders(200, 2);
          exchange.getResponseBody().write("{}".getBytes());
          exchange.close();
        });
    server.start();
    try {
      URI uri = URI.create("https://localhost:" + server.getAddress().getPort() + "/v1/models");
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();

      try (HttpClient untrusting = HttpClient.newHttpClient()) {
        assertThatThrownBy(() -> untrusting.send(request, HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(SSLHandshakeException.class);
      }
      Path bundle =
          Files.writeString(
              dir.resolve("ca.crt"), WebhookCertificates.toPem(List.of(ca.certificate())));
      try (HttpClient trusting =
          HttpClient.newBuilder()
              .sslContext(ExtraTrustedCertificates.clientContext(bundle))
              .build()) {
        assertThat(trusting.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
            .isEqualTo(200);
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aBundleWithoutCertificatesOrTooLargeIsAnErrorNamingTheFile(@TempDir Path dir)
      throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.crt"), "not a certificate\n");
    assertThatThrownBy(() -> ExtraTrustedCertificates.clientContext(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EXTRA_CA_BUNDLE " + empty);
    Path large =
        Files.write(
            dir.resolve("large.crt"),
            new byte[(int) ExtraTrustedCertificates.MAX_BUNDLE_BYTES + 1]);
    assertThatThrownBy(() -> ExtraTrustedCertificates.clientContext(large))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than");
    assertThatThrownBy(() -> ExtraTrustedCertificates.clientContext(dir.resolve("missing.crt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be read");
  }
}
