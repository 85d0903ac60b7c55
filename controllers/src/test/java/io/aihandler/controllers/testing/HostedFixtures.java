package io.aihandler.controllers.testing;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.SourceSecrets;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Objects of the hosted-credential flow, written the way users write them. */
public final class HostedFixtures {

  public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private HostedFixtures() {}

  /** A hosted backend; {@code extra} is appended inside {@code spec.hosted} (indented 4 spaces). */
  public static ModelBackend hosted(
      String namespace, String name, String provider, String secret, String extra) {
    return ModelBackends.fromYaml(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata:
          name: %s
          namespace: %s
        spec:
          hosted:
            provider: %s
            model: some-model
            credentials:
              secretRef: {name: %s, key: api-key}
        %s
        """
            .formatted(name, namespace, provider, secret, extra.indent(4).stripTrailing()));
  }

  /** A source Secret with the label the operator watches, holding {@code api-key}. */
  public static Secret sourceSecret(String namespace, String name, String key) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(Map.of(SourceSecrets.LABEL, SourceSecrets.LABEL_VALUE))
        .endMetadata()
        .withType("Opaque")
        .withData(Map.of("api-key", base64(key)))
        .build();
  }

  public static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String decoded(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  public static Namespace namespace(String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  /** A policy whose one route {@code main} targets the given backends ({@code namespace/name}). */
  public static RoutingPolicy policy(String namespace, String name, String... backends) {
    StringBuilder targets = new StringBuilder();
    for (String backend : backends) {
      String[] parts = backend.split("/");
      targets
          .append("      - backend: {name: ")
          .append(parts[1])
          .append(", namespace: ")
          .append(parts[0])
          .append("}\n");
    }
    return SERIALIZATION.unmarshal(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: RoutingPolicy
        metadata:
          name: %s
          namespace: %s
        spec:
          routes:
          - name: main
            targets:
        %s
        """
            .formatted(name, namespace, targets.toString().indent(4).stripTrailing()),
        RoutingPolicy.class);
  }

  public static Workflow workflow(String namespace, String name, String policy) {
    return SERIALIZATION.unmarshal(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: Workflow
        metadata:
          name: %s
          namespace: %s
        spec:
          policyRef: {name: %s}
          tasks:
          - name: summarize
            route: main
        """
            .formatted(name, namespace, policy),
        Workflow.class);
  }
}
