package io.aihandler.operator.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, purely from the current material and the clock, what the webhook's TLS should be:
 * unchanged, a new serving certificate from the same CA, or a new CA (kept beside the old one in
 * the bundle until the old one expires) with a new serving certificate.
 */
public final class WebhookTlsRenewal {

  private WebhookTlsRenewal() {}

  /** What changed, for logs and events. */
  public enum Change {
    NONE,
    CREATED,
    RENEWED_CERTIFICATE,
    ROTATED_AUTHORITY
  }

  /** The material to use and how it differs from the current one. */
  public record Outcome(WebhookTlsMaterial material, Change change) {}

  public static Outcome decide(
      Optional<WebhookTlsMaterial> current, WebhookTlsSettings settings, Instant now) {
    if (current.isEmpty() || current.get().caBundle().isEmpty()) {
      WebhookCertificates.Issued authority = newAuthority(settings, now);
      return new Outcome(
          withNewCertificate(List.of(authority.certificate()), authority, settings, now),
          Change.CREATED);
    }
    WebhookTlsMaterial material = current.get();
    X509Certificate authority = material.currentAuthority();
    if (expiresWithin(authority, now, settings.authorityRenewBefore())) {
      WebhookCertificates.Issued next = newAuthority(settings, now);
      List<X509Certificate> bundle = new ArrayList<>();
      bundle.add(next.certificate());
      material.caBundle().stream().filter(ca -> !expired(ca, now)).forEach(bundle::add);
      return new Outcome(withNewCertificate(bundle, next, settings, now), Change.ROTATED_AUTHORITY);
    }
    X509Certificate serving = material.servingCertificate();
    if (serving == null
        || expiresWithin(serving, now, settings.certificateRenewBefore())
        || !namesMatch(serving, settings.dnsNames())
        || !signedBy(serving, authority)) {
      WebhookCertificates.Issued issuer =
          new WebhookCertificates.Issued(authority, material.caKey());
      List<X509Certificate> bundle =
          material.caBundle().stream().filter(ca -> !expired(ca, now)).toList();
      return new Outcome(
          withNewCertificate(bundle, issuer, settings, now), Change.RENEWED_CERTIFICATE);
    }
    return new Outcome(material, Change.NONE);
  }

  private static WebhookCertificates.Issued newAuthority(WebhookTlsSettings settings, Instant now) {
    return WebhookCertificates.newAuthority(
        "aihandler-webhook-ca." + settings.namespace(), now, settings.authorityValidity());
  }

  private static WebhookTlsMaterial withNewCertificate(
      List<X509Certificate> bundle,
      WebhookCertificates.Issued authority,
      WebhookTlsSettings settings,
      Instant now) {
    WebhookCertificates.Issued serving =
        WebhookCertificates.newServingCertificate(
            authority, settings.dnsNames(), now, settings.certificateValidity());
    return new WebhookTlsMaterial(
        List.copyOf(bundle), authority.privateKey(), serving.certificate(), serving.privateKey());
  }

  static boolean expiresWithin(
      X509Certificate certificate, Instant now, java.time.Duration margin) {
    return certificate.getNotAfter().toInstant().isBefore(now.plus(margin));
  }

  private static boolean expired(X509Certificate certificate, Instant now) {
    return certificate.getNotAfter().toInstant().isBefore(now);
  }

  private static boolean signedBy(X509Certificate certificate, X509Certificate authority) {
    try {
      certificate.verify(authority.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean namesMatch(X509Certificate certificate, List<String> wanted) {
    try {
      Collection<List<?>> names =
          Optional.ofNullable(certificate.getSubjectAlternativeNames()).orElse(List.of());
      Set<String> dnsNames = new HashSet<>();
      for (List<?> name : names) {
        if (Integer.valueOf(2).equals(name.get(0))) {
          dnsNames.add(String.valueOf(name.get(1)));
        }
      }
      return dnsNames.containsAll(wanted);
    } catch (CertificateParsingException e) {
      return false;
    }
  }
}
