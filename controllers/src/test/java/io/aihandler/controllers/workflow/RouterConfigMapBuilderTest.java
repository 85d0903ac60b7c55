package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.v1alpha1.Workflow;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The router ConfigMap as the operator builds it. */
class RouterConfigMapBuilderTest {

  private static final Workflow WORKFLOW =
      new KubernetesSerialization()
          .unmarshal(
              """
          apiVersion: aihandler.io/v1alpha1
          kind: Workflow
          metadata: {name: support-tickets, namespace: support, uid: 6f1f0a8e-0000-4000-8000-000000000001}
          spec: {policyRef: {name: p}, tasks: [{name: t, route: r}]}
          """,
              Workflow.class);

  private final ConfigMap map =
      RouterConfigMapBuilder.build(WORKFLOW, "routes: []\n", "0123456789abcdef");

  @Test
  void carriesTheDocumentItsHashAndTheWorkflowAsControllingOwner() {
    assertThat(map.getMetadata().getName()).isEqualTo("support-tickets-router");
    assertThat(map.getMetadata().getNamespace()).isEqualTo("support");
    assertThat(map.getData()).containsExactly(java.util.Map.entry("router.yaml", "routes: []\n"));
    assertThat(map.getMetadata().getAnnotations())
        .containsEntry(RouterConfigMapBuilder.HASH_ANNOTATION, "0123456789abcdef");
    assertThat(map.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "aihandler-operator")
        .containsEntry("app.kubernetes.io/component", "router-config")
        .containsEntry(Workflow.WORKFLOW_LABEL, "support-tickets");
    assertThat(map.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("Workflow");
              assertThat(owner.getUid()).isEqualTo(WORKFLOW.getMetadata().getUid());
              assertThat(owner.getController()).isTrue();
            });
  }

  @Test
  void passesTheStrictKubernetesSchema() {
    assertThat(KubernetesSchemas.required().validate(map)).isEmpty();
  }
}
