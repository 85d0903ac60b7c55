package io.aihandler.operator;

import io.aihandler.controllers.advisor.AdvisorSettings;
import io.aihandler.controllers.hosted.ProviderEndpoints;
import io.aihandler.operator.tls.WebhookTlsSettings;
import io.aihandler.operator.webhook.SidecarInjectionSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, read from its environment (the Helm chart sets them; see
 * docs/operations.md).
 *
 * @param namespace the operator's own namespace ({@code OPERATOR_NAMESPACE})
 * @param podName the leader-election identity ({@code OPERATOR_POD_NAME})
 * @param watchNamespaces namespaces to reconcile; empty means all ({@code WATCH_NAMESPACES})
 * @param sidecarImage the router sidecar image injected into pods ({@code SIDECAR_IMAGE})
 * @param nativeSidecar inject as a native sidecar, or as a plain container ({@code SIDECAR_MODE})
 * @param sidecarImagePullSecrets pull Secrets added to every injected pod ({@code
 *     SIDECAR_IMAGE_PULL_SECRETS}, comma-separated), for a sidecar image in a private registry
 * @param webhookPort HTTPS port of the admission webhooks ({@code WEBHOOK_PORT})
 * @param metricsPort HTTP port of /metrics, /healthz and /readyz ({@code METRICS_PORT})
 * @param tlsMode who makes the webhook certificate ({@code WEBHOOK_TLS_MODE})
 * @param tls where the webhook's TLS lives
 * @param leaseName the leader-election Lease ({@code LEADER_ELECTION_LEASE}); empty disables leader
 *     election (single replica, development)
 * @param providers the hosted providers' default base URLs ({@code PROVIDER_ENDPOINTS}, e.g. {@code
 *     openai=https://egress.example/v1,anthropic=https://egress.example}); the public ones by
 *     default. A ModelBackend's own {@code spec.hosted.baseUrl} always wins.
 * @param advisor where the advisor reads the sidecars' metrics and how it judges ({@code
 *     ADVISOR_*}; see docs/evaluating-and-switching.md)
 */
public record OperatorSettings(
    String namespace,
    String podName,
    Set<String> watchNamespaces,
    String sidecarImage,
    boolean nativeSidecar,
    List<String> sidecarImagePullSecrets,
    int webhookPort,
    int metricsPort,
    TlsMode tlsMode,
    WebhookTlsSettings tls,
    Optional<String> leaseName,
    ProviderEndpoints providers,
    AdvisorSettings advisor) {

  /** Who makes the webhook's certificate. */
  public enum TlsMode {
    /** The operator makes and rotates its own CA and serving certificate. */
    SELF_MANAGED,
    /** cert-manager fills the Secret and the caBundles; the operator only reads the Secret. */
    CERT_MANAGER
  }

  /** Reads the settings, refusing values that make no sense with a message naming the variable. */
  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    String namespace = required(env, "OPERATOR_NAMESPACE", "aihandler-system");
    WebhookTlsSettings defaults = WebhookTlsSettings.defaults(namespace);
    WebhookTlsSettings tls =
        new WebhookTlsSettings(
            namespace,
            env.getOrDefault("WEBHOOK_TLS_SECRET", defaults.secretName()),
            env.getOrDefault("WEBHOOK_SERVICE", defaults.serviceName()),
            env.getOrDefault(
                "MUTATING_WEBHOOK_CONFIGURATION", defaults.mutatingWebhookConfiguration()),
            env.getOrDefault(
                "VALIDATING_WEBHOOK_CONFIGURATION", defaults.validatingWebhookConfiguration()),
            defaults.authorityValidity(),
            defaults.certificateValidity());
    String mode = env.getOrDefault("SIDECAR_MODE", "native");
    if (!mode.equals("native") && !mode.equals("container")) {
      throw new IllegalArgumentException("SIDECAR_MODE must be native or container, not " + mode);
    }
    String tlsMode = env.getOrDefault("WEBHOOK_TLS_MODE", "self-managed");
    TlsMode parsedTlsMode =
        switch (tlsMode) {
          case "self-managed" -> TlsMode.SELF_MANAGED;
          case "cert-manager" -> TlsMode.CERT_MANAGER;
          default ->
              throw new IllegalArgumentException(
                  "WEBHOOK_TLS_MODE must be self-managed or cert-manager, not " + tlsMode);
        };
    String lease = env.getOrDefault("LEADER_ELECTION_LEASE", "aihandler-operator");
    return new OperatorSettings(
        namespace,
        env.getOrDefault(
            "OPERATOR_POD_NAME", "aihandler-operator-" + ProcessHandle.current().pid()),
        Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
            .map(String::strip)
            .filter(name -> !name.isEmpty())
            .collect(Collectors.toUnmodifiableSet()),
        env.getOrDefault("SIDECAR_IMAGE", SidecarInjectionSettings.DEFAULT_IMAGE),
        mode.equals("native"),
        names(env, "SIDECAR_IMAGE_PULL_SECRETS"),
        port(env, "WEBHOOK_PORT", 9443),
        port(env, "METRICS_PORT", 8080),
        parsedTlsMode,
        tls,
        lease.isBlank() ? Optional.empty() : Optional.of(lease),
        providers(env.getOrDefault("PROVIDER_ENDPOINTS", "")),
        AdvisorEnvironment.read(env));
  }

  /**
   * How the operator writes its log ({@code LOG_FORMAT}): {@code text} (the default) or {@code
   * json}, the line schema the sidecar writes too (docs/observability.md). Read apart from the
   * other settings because logging is set up before anything else.
   *
   * @throws IllegalArgumentException for any other value, naming the variable
   */
  public static io.aihandler.logging.LogFormat logFormat(Map<String, String> env) {
    try {
      return io.aihandler.logging.LogFormat.parse(env.get("LOG_FORMAT"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("LOG_FORMAT " + e.getMessage(), e);
    }
  }

  /** The same settings as another replica: its own identity and ports, the same Lease. */
  public OperatorSettings asReplica(
      String identity,
      int webhookPort,
      int metricsPort,
      String lease,
      ProviderEndpoints endpoints) {
    return new OperatorSettings(
        namespace,
        identity,
        watchNamespaces,
        sidecarImage,
        nativeSidecar,
        sidecarImagePullSecrets,
        webhookPort,
        metricsPort,
        tlsMode,
        tls,
        Optional.of(lease),
        endpoints,
        advisor);
  }

  /** Settings for a single process without leader election, on the given ports (0: any free). */
  public OperatorSettings forLocalUse(
      int webhookPort, int metricsPort, ProviderEndpoints endpoints) {
    return new OperatorSettings(
        namespace,
        podName,
        watchNamespaces,
        sidecarImage,
        nativeSidecar,
        sidecarImagePullSecrets,
        webhookPort,
        metricsPort,
        tlsMode,
        tls,
        Optional.empty(),
        endpoints,
        advisor);
  }

  /** The same settings with other advisor settings (the demo's Prometheus, a test's window). */
  public OperatorSettings withAdvisor(AdvisorSettings advisor) {
    return new OperatorSettings(
        namespace,
        podName,
        watchNamespaces,
        sidecarImage,
        nativeSidecar,
        sidecarImagePullSecrets,
        webhookPort,
        metricsPort,
        tlsMode,
        tls,
        leaseName,
        providers,
        advisor);
  }

  /** A comma-separated list of Secret names; each must be a DNS subdomain. */
  private static List<String> names(Map<String, String> env, String variable) {
    List<String> names =
        Arrays.stream(env.getOrDefault(variable, "").split(","))
            .map(String::strip)
            .filter(name -> !name.isEmpty())
            .distinct()
            .toList();
    for (String name : names) {
      if (name.length() > 253
          || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
        throw new IllegalArgumentException(variable + " must list Secret names, not " + name);
      }
    }
    return names;
  }

  static ProviderEndpoints providers(String text) {
    ProviderEndpoints endpoints = ProviderEndpoints.PUBLIC;
    String openai = endpoints.openai();
    String anthropic = endpoints.anthropic();
    String gemini = endpoints.gemini();
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int equals = entry.indexOf('=');
      String provider = equals < 0 ? entry.strip() : entry.substring(0, equals).strip();
      String url = equals < 0 ? "" : entry.substring(equals + 1).strip();
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException(
            "PROVIDER_ENDPOINTS entries are provider=http(s)://url, not " + entry.strip());
      }
      switch (provider) {
        case "openai" -> openai = url;
        case "anthropic" -> anthropic = url;
        case "gemini" -> gemini = url;
        default ->
            throw new IllegalArgumentException(
                "PROVIDER_ENDPOINTS names unknown provider "
                    + provider
                    + " (openai, anthropic, gemini)");
      }
    }
    return new ProviderEndpoints(openai, anthropic, gemini);
  }

  /**
   * Where router sidecars send activations: the webhook Service (port 443), path {@code
   * /activations}, under the name the serving certificate is issued for.
   */
  public String activationUrl() {
    return "https://" + tls.dnsNames().get(0) + "/activations";
  }

  /** How often the webhook certificate is checked for renewal. */
  public Duration tlsCheckInterval() {
    return Duration.ofHours(1);
  }

  private static String required(Map<String, String> env, String name, String fallback) {
    String value = env.get(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.strip());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a port number (0-65535), not " + value);
    }
  }
}
