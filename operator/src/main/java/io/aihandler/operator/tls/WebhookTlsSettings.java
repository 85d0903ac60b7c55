package io.aihandler.operator.tls;

import java.time.Duration;
import java.util.List;

/**
 * Where the webhook's TLS lives and how long its parts last.
 *
 * @param namespace the operator's namespace
 * @param secretName the Secret all replicas share
 * @param serviceName the webhook Service the API server calls
 * @param mutatingWebhookConfiguration name of the MutatingWebhookConfiguration to keep trusted
 * @param validatingWebhookConfiguration name of the ValidatingWebhookConfiguration to keep trusted
 * @param authorityValidity lifetime of a new CA
 * @param certificateValidity lifetime of a new serving certificate
 */
public record WebhookTlsSettings(
    String namespace,
    String secretName,
    String serviceName,
    String mutatingWebhookConfiguration,
    String validatingWebhookConfiguration,
    Duration authorityValidity,
    Duration certificateValidity) {

  public static WebhookTlsSettings defaults(String namespace) {
    return new WebhookTlsSettings(
        namespace,
        "aihandler-webhook-tls",
        "aihandler-webhook",
        "aihandler-sidecar-injector",
        "aihandler-validator",
        Duration.ofDays(3650),
        Duration.ofDays(90));
  }

  /** The names the API server uses to reach the Service. */
  public List<String> dnsNames() {
    String service = serviceName + "." + namespace + ".svc";
    return List.of(service, service + ".cluster.local", serviceName + "." + namespace, serviceName);
  }

  /** Renew a serving certificate once two thirds of its life are gone. */
  public Duration certificateRenewBefore() {
    return certificateValidity.dividedBy(3);
  }

  /**
   * Replace the CA while it still outlives every certificate it may yet sign, plus a renewal period
   * of overlap during which both CAs are trusted.
   */
  public Duration authorityRenewBefore() {
    return certificateValidity.plus(certificateRenewBefore());
  }
}
