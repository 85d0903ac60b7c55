package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aihandler.api.testing.KubernetesSchemas;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ApiKey;
import io.aihandler.controllers.hosted.SourceSecrets;
import io.aihandler.controllers.testing.HostedFixtures;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;

class CredentialSecretBuilderTest {

  private final Workflow workflow = workflow();

  private static Workflow workflow() {
    Workflow workflow = HostedFixtures.workflow("support", "ticket-app", "support-routing");
    workflow.getMetadata().setUid("6f1d2c3b-0000-4000-8000-000000000001");
    return workflow;
  }

  private Secret build() {
    return CredentialSecretBuilder.build(
        workflow,
        List.of(
            new CredentialSecretBuilder.Entry("llm-platform", "gpt-4o", ApiKey.of("sk-openai-1")),
            new CredentialSecretBuilder.Entry("llm-platform", "claude", ApiKey.of("sk-ant-2"))));
  }

  @Test
  void oneEntryPerBackendNamedNamespaceDotName() {
    Secret secret = build();
    assertThat(secret.getMetadata().getName())
        .isEqualTo("ticket-app-credentials")
        .isEqualTo(WorkflowObjectNames.credentialsSecret(workflow));
    assertThat(secret.getMetadata().getNamespace()).isEqualTo("support");
    assertThat(secret.getData()).containsOnlyKeys("llm-platform.claude", "llm-platform.gpt-4o");
    assertThat(HostedFixtures.decoded(secret.getData().get("llm-platform.claude")))
        .isEqualTo("sk-ant-2");
    assertThat(secret.getMetadata().getAnnotations())
        .containsEntry("aihandler.io/backends", "llm-platform/claude,llm-platform/gpt-4o");
  }

  @Test
  void ownedByTheWorkflowSoItIsCollectedWithIt() {
    OwnerReference owner = build().getMetadata().getOwnerReferences().getFirst();
    assertThat(owner.getApiVersion()).isEqualTo("aihandler.io/v1alpha1");
    assertThat(owner.getKind()).isEqualTo("Workflow");
    assertThat(owner.getName()).isEqualTo("ticket-app");
    assertThat(owner.getUid()).isEqualTo("6f1d2c3b-0000-4000-8000-000000000001");
    assertThat(owner.getController()).isTrue();
    assertThat(owner.getBlockOwnerDeletion()).isTrue();
  }

  @Test
  void labelledAsOursButNeverAsASource() {
    Secret secret = build();
    assertThat(secret.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "aihandler-operator")
        .containsEntry("app.kubernetes.io/component", "workflow-credentials")
        .doesNotContainKey(SourceSecrets.LABEL);
  }

  @Test
  void sameInputSameSecret() {
    assertThat(build()).isEqualTo(build());
  }

  @Test
  void overlongEntryKeysAreShortenedStablyAndStayValid() {
    String name = "b".repeat(250);
    String key = CredentialSecretBuilder.entryKey("llm-platform", name);
    assertThat(key)
        .hasSizeLessThanOrEqualTo(253)
        .matches("[-._a-zA-Z0-9]+")
        .isEqualTo(CredentialSecretBuilder.entryKey("llm-platform", name));
  }

  @Test
  void refusesToBuildAnEmptySecret() {
    assertThatThrownBy(() -> CredentialSecretBuilder.build(workflow, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void passesTheStrictKubernetesSchema() {
    KubernetesSchemas schemas = KubernetesSchemas.required();
    assertThat(schemas.validate(build())).isEmpty();
  }
}
