package io.aihandler.charts;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Shape checks for cert-manager's Issuer and Certificate, which the strict Kubernetes schemas do
 * not cover. They follow those CRDs' published schemas for the fields the chart sets, and refuse
 * any other field.
 */
final class HandCheckedShapes {

  private static final Pattern DURATION =
      Pattern.compile("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  private HandCheckedShapes() {}

  static List<String> certManager(JsonNode object) {
    List<String> errors = new ArrayList<>();
    String kind = object.path("kind").asText();
    common(object, kind, errors);
    JsonNode spec = object.path("spec");
    switch (kind) {
      case "Issuer" -> {
        onlyFields(spec, Set.of("selfSigned"), "Issuer.spec", errors);
        if (!spec.path("selfSigned").isObject()) {
          errors.add("Issuer.spec.selfSigned must be an object");
        }
      }
      case "Certificate" -> {
        onlyFields(
            spec,
            Set.of(
                "secretName",
                "duration",
                "renewBefore",
                "commonName",
                "dnsNames",
                "privateKey",
                "usages",
                "issuerRef"),
            "Certificate.spec",
            errors);
        if (!DNS_LABEL.matcher(spec.path("secretName").asText()).matches()) {
          errors.add("Certificate.spec.secretName must name a Secret");
        }
        for (String field : List.of("duration", "renewBefore")) {
          if (!DURATION.matcher(spec.path(field).asText()).matches()) {
            errors.add("Certificate.spec." + field + " is not a duration: " + spec.path(field));
          }
        }
        if (!spec.path("dnsNames").isArray() || spec.path("dnsNames").isEmpty()) {
          errors.add("Certificate.spec.dnsNames must list the webhook Service's names");
        }
        JsonNode issuer = spec.path("issuerRef");
        onlyFields(issuer, Set.of("name", "kind", "group"), "Certificate.spec.issuerRef", errors);
        if (issuer.path("name").asText().isEmpty()
            || !Set.of("Issuer", "ClusterIssuer").contains(issuer.path("kind").asText())) {
          errors.add("Certificate.spec.issuerRef needs a name and kind Issuer or ClusterIssuer");
        }
        onlyFields(
            spec.path("privateKey"),
            Set.of("algorithm", "size", "rotationPolicy"),
            "Certificate.spec.privateKey",
            errors);
        Set<String> usages =
            Set.of(
                "signing",
                "digital signature",
                "content commitment",
                "key encipherment",
                "key agreement",
                "data encipherment",
                "cert sign",
                "crl sign",
                "encipher only",
                "decipher only",
                "any",
                "server auth",
                "client auth");
        for (JsonNode usage : spec.path("usages")) {
          if (!usages.contains(usage.asText())) {
            errors.add("Certificate.spec.usages has an unknown usage " + usage);
          }
        }
      }
      default -> errors.add("unexpected cert-manager kind " + kind);
    }
    return errors;
  }

  private static void common(JsonNode object, String kind, List<String> errors) {
    onlyFields(object, Set.of("apiVersion", "kind", "metadata", "spec"), kind, errors);
    if (!DNS_LABEL.matcher(object.path("metadata").path("name").asText()).matches()) {
      errors.add(kind + ".metadata.name is not a valid name");
    }
    if (object.path("metadata").path("namespace").asText().isEmpty()) {
      errors.add(kind + " must be namespaced");
    }
  }

  private static void onlyFields(
      JsonNode node, Set<String> allowed, String where, List<String> errors) {
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!allowed.contains(name)) {
                errors.add(where + " has an unknown field " + name);
              }
            });
  }
}
