package io.aihandler.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook TLS against fabric8's CRUD mock API server: create, share, renew, rotate, trust. */
@EnableKubernetesMockClient(crud = true)
class WebhookTlsKeeperTest {

  private static final String NAMESPACE = "aihandler-system";
  private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

  KubernetesClient client;

  private final WebhookTlsSettings settings = WebhookTlsSettings.defaults(NAMESPACE);

  @BeforeEach
  void webhookConfigurationsAsTheChartInstallsThem() {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(settings.mutatingWebhookConfiguration())
                .endMetadata()
                .addNewWebhook()
                .withName("inject.aihandler.io")
                .withNewClientConfig()
                .withNewService()
                .withName("aihandler-webhook")
                .withNamespace(NAMESPACE)
                .withPath("/mutate-pods")
                .endService()
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .build())
        .create();
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(settings.validatingWebhookConfiguration())
                .endMetadata()
                .addNewWebhook()
                .withName("workflows.aihandler.io")
                .withNewClientConfig()
                .withNewService()
                .withName("aihandler-webhook")
                .withNamespace(NAMESPACE)
                .withPath("/validate-workflows")
                .endService()
                .endClientConfig()
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .endWebhook()
                .build())
        .create();
  }

  private WebhookTlsKeeper keeper(Instant now) {
    return keeper(settings, now);
  }

  private WebhookTlsKeeper keeper(WebhookTlsSettings tlsSettings, Instant now) {
    return new WebhookTlsKeeper(client, tlsSettings, Clock.fixed(now, ZoneOffset.UTC));
  }

  private Secret storedSecret() {
    return client.secrets().inNamespace(NAMESPACE).withName(settings.secretName()).get();
  }

  private List<String> caBundles() {
    String mutating =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(settings.mutatingWebhookConfiguration())
            .get()
            .getWebhooks()
            .get(0)
            .getClientConfig()
            .getCaBundle();
    String validating =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(settings.validatingWebhookConfiguration())
            .get()
            .getWebhooks()
            .get(0)
            .getClientConfig()
            .getCaBundle();
    return List.of(mutating, validating);
  }

  private static List<X509Certificate> decodeBundle(String base64) {
    return WebhookCertificates.certificatesFromPem(
        new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII));
  }

  @Test
  void theFirstReplicaCreatesTheSecretAndTheApiServerTrustsIt() throws Exception {
    WebhookTlsMaterial material = keeper(START).ensure();

    Secret secret = storedSecret();
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    io.aihandler.api.testing.KubernetesSchemas.locate()
        .ifPresent(schemas -> assertThat(schemas.validate(secret)).isEmpty());
    assertThat(secret.getData()).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
    for (String bundle : caBundles()) {
      assertThat(decodeBundle(bundle)).containsExactly(material.currentAuthority());
    }
    assertThat(validates(material.servingCertificate(), material.caBundle())).isTrue();
    assertThat(material.servingCertificate().getSubjectAlternativeNames())
        .anySatisfy(
            name -> assertThat(name.get(1)).isEqualTo("aihandler-webhook.aihandler-system.svc"));
    assertThat(material.servingCertificate().getNotAfter())
        .isAfter(Date.from(START.plus(Duration.ofDays(89))));
  }

  @Test
  void otherReplicasAdoptTheStoredMaterialWithoutWriting() {
    WebhookTlsMaterial first = keeper(START).ensure();
    String version = storedSecret().getMetadata().getResourceVersion();

    WebhookTlsMaterial second = keeper(START.plus(Duration.ofHours(1))).ensure();

    assertThat(second.servingCertificate()).isEqualTo(first.servingCertificate());
    assertThat(second.servingKey()).isEqualTo(first.servingKey());
    assertThat(storedSecret().getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void replicasStartingTogetherEndUpServingTheSameCertificate() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    var a = CompletableFuture.supplyAsync(() -> awaitThen(start, () -> keeper(START).ensure()));
    var b = CompletableFuture.supplyAsync(() -> awaitThen(start, () -> keeper(START).ensure()));
    start.countDown();
    WebhookTlsMaterial fromA = a.get();
    WebhookTlsMaterial fromB = b.get();
    WebhookTlsMaterial stored = keeper(START).ensure();
    // Whatever the interleaving, the material a replica serves is the stored one (or is replaced
    // on its next periodic check); the trusted bundle always matches the stored CA.
    assertThat(List.of(fromA.currentAuthority(), fromB.currentAuthority()))
        .contains(stored.currentAuthority());
    for (String bundle : caBundles()) {
      assertThat(decodeBundle(bundle)).containsExactly(stored.currentAuthority());
    }
  }

  @Test
  void renewsTheServingCertificateBeforeItExpiresUnderTheSameAuthority() {
    WebhookTlsMaterial first = keeper(START).ensure();
    List<String> bundlesBefore = caBundles();

    WebhookTlsMaterial sameYet = keeper(START.plus(Duration.ofDays(59))).ensure();
    assertThat(sameYet.servingCertificate()).isEqualTo(first.servingCertificate());

    WebhookTlsMaterial renewed = keeper(START.plus(Duration.ofDays(61))).ensure();
    assertThat(renewed.servingCertificate()).isNotEqualTo(first.servingCertificate());
    assertThat(renewed.currentAuthority()).isEqualTo(first.currentAuthority());
    assertThat(validates(renewed.servingCertificate(), renewed.caBundle())).isTrue();
    assertThat(caBundles()).isEqualTo(bundlesBefore);
  }

  @Test
  void rotatesTheAuthorityWhileTrustingTheOldOneUntilItExpires() {
    WebhookTlsSettings shortLivedCa =
        new WebhookTlsSettings(
            NAMESPACE,
            settings.secretName(),
            settings.serviceName(),
            settings.mutatingWebhookConfiguration(),
            settings.validatingWebhookConfiguration(),
            Duration.ofDays(200),
            Duration.ofDays(90));
    WebhookTlsMaterial first = keeper(shortLivedCa, START).ensure();

    WebhookTlsMaterial rotated = keeper(shortLivedCa, START.plus(Duration.ofDays(81))).ensure();

    assertThat(rotated.currentAuthority()).isNotEqualTo(first.currentAuthority());
    assertThat(rotated.caBundle())
        .containsExactly(rotated.currentAuthority(), first.currentAuthority());
    assertThat(validates(rotated.servingCertificate(), List.of(rotated.currentAuthority())))
        .isTrue();
    for (String bundle : caBundles()) {
      assertThat(decodeBundle(bundle))
          .containsExactly(rotated.currentAuthority(), first.currentAuthority());
    }
  }

  @Test
  void replacesASecretThatHoldsNoUsableMaterial() {
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(settings.secretName())
                .endMetadata()
                .addToData(
                    Map.of(
                        "tls.crt",
                        Base64.getEncoder()
                            .encodeToString("garbage".getBytes(StandardCharsets.US_ASCII))))
                .build())
        .create();
    WebhookTlsMaterial material = keeper(START).ensure();
    assertThat(storedSecret().getData()).containsKeys("ca.crt", "tls.key");
    assertThat(validates(material.servingCertificate(), material.caBundle())).isTrue();
  }

  @Test
  void aClientThatTrustsOnlyTheCaBundleCompletesAHandshakeForTheServiceName() throws Exception {
    WebhookTlsMaterial material = keeper(START).ensure();
    List<X509Certificate> trusted = decodeBundle(caBundles().get(0));
    assertThat(handshake(material, trusted, "aihandler-webhook.aihandler-system.svc"))
        .isEqualTo("ok");
    assertThatThrownBy(() -> handshake(material, trusted, "some-other-service.default.svc"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  /** One TLS round trip to a server using the material, verifying the certificate for a host. */
  private static String handshake(
      WebhookTlsMaterial material, List<X509Certificate> trusted, String hostname)
      throws Exception {
    SSLContext serverContext = material.serverSslContext();
    try (SSLServerSocket server =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var served =
          CompletableFuture.runAsync(
              () -> {
                try (Socket socket = server.accept();
                    OutputStream out = socket.getOutputStream()) {
                  out.write("ok".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                  // The client refusing the certificate ends the connection; that is the test's
                  // subject.
                }
              });
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        trust.setCertificateEntry("ca" + i, trusted.get(i));
      }
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext clientContext = SSLContext.getInstance("TLS");
      clientContext.init(null, trustManagers.getTrustManagers(), null);
      try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          SSLSocket socket =
              (SSLSocket)
                  clientContext
                      .getSocketFactory()
                      .createSocket(plain, hostname, server.getLocalPort(), true)) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        InputStream in = socket.getInputStream();
        String answer = new String(in.readNBytes(2), StandardCharsets.US_ASCII);
        served.join();
        return answer;
      }
    }
  }

  private static boolean validates(X509Certificate certificate, List<X509Certificate> authorities) {
    try {
      var factory = CertificateFactory.getInstance("X.509");
      PKIXParameters parameters =
          new PKIXParameters(
              Set.copyOf(authorities.stream().map(ca -> new TrustAnchor(ca, null)).toList()));
      parameters.setRevocationEnabled(false);
      parameters.setDate(
          Date.from(certificate.getNotBefore().toInstant().plus(Duration.ofHours(1))));
      CertPathValidator.getInstance("PKIX")
          .validate(factory.generateCertPath(List.of(certificate)), parameters);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static <T> T awaitThen(CountDownLatch latch, java.util.function.Supplier<T> action) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return action.get();
  }
}
