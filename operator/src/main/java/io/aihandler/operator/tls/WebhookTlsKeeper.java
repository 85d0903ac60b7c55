package io.aihandler.operator.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the webhook's TLS in place without manual steps: one Secret shared by every operator
 * replica (the first replica creates it; a replica that loses the race to write it adopts the
 * winner's), renewal before expiry, and the webhook configurations' {@code caBundle} kept equal to
 * the CA bundle. Run it at start-up and then periodically; serve whatever it returns.
 */
public final class WebhookTlsKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookTlsKeeper.class);

  static final String CA_CERT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String TLS_CERT = "tls.crt";
  static final String TLS_KEY = "tls.key";

  private static final int WRITE_ATTEMPTS = 3;

  private final KubernetesClient client;
  private final WebhookTlsSettings settings;
  private final Clock clock;

  public WebhookTlsKeeper(KubernetesClient client, WebhookTlsSettings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
  }

  /** Makes sure valid material is stored and trusted; returns the material to serve. */
  public WebhookTlsMaterial ensure() {
    WebhookTlsMaterial material = ensureSecret();
    ensureCaBundles(material);
    return material;
  }

  private WebhookTlsMaterial ensureSecret() {
    for (int attempt = 1; ; attempt++) {
      Secret secret = secrets().get();
      WebhookTlsRenewal.Outcome outcome =
          WebhookTlsRenewal.decide(read(secret), settings, clock.instant());
      if (outcome.change() == WebhookTlsRenewal.Change.NONE) {
        return outcome.material();
      }
      try {
        Secret desired = toSecret(outcome.material(), secret);
        if (secret == null) {
          client.secrets().inNamespace(settings.namespace()).resource(desired).create();
        } else {
          client.secrets().inNamespace(settings.namespace()).resource(desired).update();
        }
        LOG.info(
            "Webhook TLS {} (Secret {}/{}, certificate valid until {})",
            describe(outcome.change()),
            settings.namespace(),
            settings.secretName(),
            outcome.material().servingCertificate().getNotAfter().toInstant());
        return outcome.material();
      } catch (KubernetesClientException e) {
        // 409: another replica wrote first; read what it wrote and judge that instead.
        if (e.getCode() != 409 || attempt >= WRITE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void ensureCaBundles(WebhookTlsMaterial material) {
    String bundle =
        Base64.getEncoder()
            .encodeToString(material.caBundlePem().getBytes(StandardCharsets.US_ASCII));
    patchIfStale(
        () ->
            client
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName(settings.mutatingWebhookConfiguration())
                .get(),
        configuration ->
            configuration.getWebhooks().stream().map(MutatingWebhook::getClientConfig).toList(),
        configuration ->
            client
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .resource(configuration)
                .update(),
        bundle,
        settings.mutatingWebhookConfiguration());
    patchIfStale(
        () ->
            client
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName(settings.validatingWebhookConfiguration())
                .get(),
        configuration ->
            configuration.getWebhooks().stream().map(ValidatingWebhook::getClientConfig).toList(),
        configuration ->
            client
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .resource(configuration)
                .update(),
        bundle,
        settings.validatingWebhookConfiguration());
  }

  private <T> void patchIfStale(
      Supplier<T> get,
      java.util.function.Function<
              T, List<io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig>>
          clientConfigs,
      Consumer<T> update,
      String bundle,
      String name) {
    for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      T configuration = get.get();
      if (configuration == null) {
        LOG.warn(
            "Webhook configuration {} not found: the API server cannot call the webhook until it exists",
            name);
        return;
      }
      var configs = clientConfigs.apply(configuration);
      if (configs.stream().allMatch(config -> bundle.equals(config.getCaBundle()))) {
        return;
      }
      configs.forEach(config -> config.setCaBundle(bundle));
      try {
        update.accept(configuration);
        LOG.info("Updated the caBundle of webhook configuration {}", name);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  /**
   * The material cert-manager keeps in the Secret ({@code tls.crt}, {@code tls.key}, {@code
   * ca.crt}), for serving only: nothing is written, and the CA key is not there.
   */
  public Optional<WebhookTlsMaterial> readIssuedByCertManager() {
    Secret secret = secrets().get();
    if (secret == null || secret.getData() == null) {
      return Optional.empty();
    }
    Map<String, String> data = secret.getData();
    try {
      List<java.security.cert.X509Certificate> chain =
          WebhookCertificates.certificatesFromPem(decode(data.get(TLS_CERT)));
      List<java.security.cert.X509Certificate> authorities =
          data.containsKey(CA_CERT)
              ? WebhookCertificates.certificatesFromPem(decode(data.get(CA_CERT)))
              : chain.subList(Math.min(1, chain.size()), chain.size());
      return Optional.of(
          new WebhookTlsMaterial(
              authorities.isEmpty() ? List.of(chain.get(0)) : authorities,
              null,
              chain.get(0),
              WebhookCertificates.privateKeyFromPem(decode(data.get(TLS_KEY)))));
    } catch (RuntimeException e) {
      LOG.warn(
          "Secret {}/{} does not hold a usable certificate yet ({})",
          settings.namespace(),
          settings.secretName(),
          e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  /**
   * The stored material, or empty when there is none or it cannot be read (it is then replaced).
   */
  Optional<WebhookTlsMaterial> read(Secret secret) {
    if (secret == null || secret.getData() == null) {
      return Optional.empty();
    }
    Map<String, String> data = secret.getData();
    try {
      return Optional.of(
          new WebhookTlsMaterial(
              WebhookCertificates.certificatesFromPem(decode(data.get(CA_CERT))),
              WebhookCertificates.privateKeyFromPem(decode(data.get(CA_KEY))),
              WebhookCertificates.certificatesFromPem(decode(data.get(TLS_CERT))).get(0),
              WebhookCertificates.privateKeyFromPem(decode(data.get(TLS_KEY)))));
    } catch (RuntimeException e) {
      LOG.warn(
          "Secret {}/{} does not hold usable webhook TLS material ({}); replacing it",
          settings.namespace(),
          settings.secretName(),
          e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  private Secret toSecret(WebhookTlsMaterial material, Secret current) {
    SecretBuilder builder =
        new SecretBuilder()
            .withNewMetadata()
            .withName(settings.secretName())
            .withNamespace(settings.namespace())
            .addToLabels("app.kubernetes.io/managed-by", "aihandler-operator")
            .addToLabels("app.kubernetes.io/component", "webhook-tls")
            .withResourceVersion(
                current == null ? null : current.getMetadata().getResourceVersion())
            .endMetadata()
            .withType("kubernetes.io/tls")
            .addToData(CA_CERT, encode(material.caBundlePem()))
            .addToData(CA_KEY, encode(WebhookCertificates.toPem(material.caKey())))
            .addToData(
                TLS_CERT,
                encode(
                    WebhookCertificates.toPem(
                        List.of(material.servingCertificate(), material.currentAuthority()))))
            .addToData(TLS_KEY, encode(WebhookCertificates.toPem(material.servingKey())));
    return builder.build();
  }

  private io.fabric8.kubernetes.client.dsl.Resource<Secret> secrets() {
    return client.secrets().inNamespace(settings.namespace()).withName(settings.secretName());
  }

  private static String describe(WebhookTlsRenewal.Change change) {
    return switch (change) {
      case CREATED -> "created";
      case RENEWED_CERTIFICATE -> "serving certificate renewed";
      case ROTATED_AUTHORITY -> "CA rotated (the old CA stays trusted until it expires)";
      case NONE -> "unchanged";
    };
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String decode(String base64) {
    return new String(
        Base64.getDecoder().decode(Objects.requireNonNull(base64, "missing key")),
        StandardCharsets.US_ASCII);
  }
}
