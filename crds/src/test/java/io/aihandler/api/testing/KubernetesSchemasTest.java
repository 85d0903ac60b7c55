package io.aihandler.api.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The strict schemas refuse what kubectl would refuse, so a passing example means something. */
class KubernetesSchemasTest {

  private KubernetesSchemas schemas;

  @BeforeEach
  void locate() {
    Optional<KubernetesSchemas> found = KubernetesSchemas.locate();
    if (found.isEmpty()) {
      System.out.println(KubernetesSchemas.missingMessage());
    }
    assumeThat(found).as(KubernetesSchemas.missingMessage()).isPresent();
    schemas = found.get();
  }

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: app}
      spec:
        selector: {matchLabels: {app: a}}
        template:
          metadata: {labels: {app: a}}
          spec:
            containers:
            - name: app
              image: busybox
              %s
      """;

  @Test
  void acceptsAValidDeployment() {
    assertThat(schemas.validate(Manifests.parse(DEPLOYMENT.formatted("args: [sleep, '1']"))))
        .isEmpty();
  }

  @Test
  void refusesUnknownFieldsAndWrongTypes() {
    assertThat(schemas.validate(Manifests.parse(DEPLOYMENT.formatted("imagePullPolice: Always"))))
        .anySatisfy(error -> assertThat(error).contains("imagePullPolice"));
    assertThat(
            schemas.validate(
                Manifests.parse(DEPLOYMENT.formatted("ports: [{containerPort: http}]"))))
        .isNotEmpty();
  }

  @Test
  void findsSchemasOfCoreAndGroupedKinds() {
    assertThat(schemas.knows("v1", "Secret")).isTrue();
    assertThat(schemas.knows("policy/v1", "PodDisruptionBudget")).isTrue();
    assertThat(schemas.knows("rbac.authorization.k8s.io/v1", "ClusterRole")).isTrue();
    assertThat(schemas.knows("v1", "NoSuchKind")).isFalse();
  }
}
