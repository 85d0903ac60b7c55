package io.aihandler.controllers.workflow;

import static io.aihandler.controllers.testing.HostedFixtures.decoded;
import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.SourceSecrets;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.HostedFixtures;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Provisioning on fabric8's CRUD mock API server (with the SSA shim) under a running JOSDK
 * operator.
 */
class WorkflowCredentialsTest {

  private static final String KEY = "sk-ant-provision-51c8e0f2a9";
  private static final String ROTATED = "sk-ant-rotated-93b7d14c06";

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;

  @BeforeEach
  void start() {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    client.resource(HostedFixtures.namespace("llm-platform", Map.of())).create();
    client.resource(HostedFixtures.namespace("support", Map.of("team", "support"))).create();
    client.resource(HostedFixtures.namespace("sales", Map.of("team", "sales"))).create();
    client.resource(HostedFixtures.sourceSecret("llm-platform", "anthropic-key", KEY)).create();
    client
        .resource(
            HostedFixtures.hosted(
                "llm-platform",
                "claude",
                "anthropic",
                "anthropic-key",
                "shareWith: {namespaceSelector: {matchLabels: {team: support}}}"))
        .create();
    operator = RunningOperator.start(api, new WorkflowReconciler());
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private void workflowUsing(String namespace, String name, String... backends) {
    client.resource(HostedFixtures.policy(namespace, name + "-policy", backends)).create();
    client.resource(HostedFixtures.workflow(namespace, name, name + "-policy")).create();
  }

  private Optional<Secret> copy(String namespace, String workflow) {
    return Optional.ofNullable(
        client.secrets().inNamespace(namespace).withName(workflow + "-credentials").get());
  }

  private Optional<Condition> provisioned(String namespace, String workflow) {
    Workflow current =
        client.resources(Workflow.class).inNamespace(namespace).withName(workflow).get();
    return current == null || current.getStatus() == null
        ? Optional.empty()
        : Conditions.lookup(
            current.getStatus().getConditions(), Conditions.CREDENTIALS_PROVISIONED);
  }

  private void awaitCondition(String namespace, String workflow, String status, String reason) {
    Eventually.await(
        workflow + " CredentialsProvisioned " + status + "/" + reason,
        () ->
            provisioned(namespace, workflow)
                .filter(c -> status.equals(c.getStatus()) && reason.equals(c.getReason()))
                .isPresent());
  }

  @Test
  void admittedNamespaceGetsAnOwnedCopyOfTheKey() {
    workflowUsing("support", "ticket-app", "llm-platform/claude");

    Eventually.await("copy in support", () -> copy("support", "ticket-app").isPresent());
    Secret copy = copy("support", "ticket-app").orElseThrow();
    assertThat(decoded(copy.getData().get("llm-platform.claude"))).isEqualTo(KEY);
    assertThat(copy.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("Workflow"))
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("ticket-app"));
    assertThat(copy.getMetadata().getLabels()).doesNotContainKey(SourceSecrets.LABEL);
    awaitCondition("support", "ticket-app", "True", "Provisioned");
    assertThat(provisioned("support", "ticket-app").orElseThrow().getMessage())
        .contains("llm-platform/claude")
        .doesNotContain(KEY);
  }

  @Test
  void refusedNamespaceGetsNoCopyAndAConditionNamingTheBackend() {
    workflowUsing("sales", "forecast", "llm-platform/claude");

    awaitCondition("sales", "forecast", "False", "NamespaceNotAdmitted");
    assertThat(provisioned("sales", "forecast").orElseThrow().getMessage())
        .contains("ModelBackend llm-platform/claude")
        .contains("sales")
        .contains("team=support");
    assertThat(copy("sales", "forecast")).isEmpty();
  }

  @Test
  void rotationReachesEveryCopy() {
    workflowUsing("support", "ticket-app", "llm-platform/claude");
    workflowUsing("llm-platform", "evals", "llm-platform/claude");
    Eventually.await(
        "both copies",
        () ->
            copy("support", "ticket-app").isPresent() && copy("llm-platform", "evals").isPresent());

    Secret source = client.secrets().inNamespace("llm-platform").withName("anthropic-key").get();
    source.setData(Map.of("api-key", HostedFixtures.base64(ROTATED)));
    client.resource(source).update();

    Eventually.await(
        "rotated key in every copy",
        () ->
            ROTATED.equals(
                    copy("support", "ticket-app")
                        .map(s -> decoded(s.getData().get("llm-platform.claude")))
                        .orElse(null))
                && ROTATED.equals(
                    copy("llm-platform", "evals")
                        .map(s -> decoded(s.getData().get("llm-platform.claude")))
                        .orElse(null)));
  }

  @Test
  void copyIsDeletedWhenTheRouteNoLongerUsesAHostedBackend() {
    client
        .resource(
            HostedFixtures.hosted(
                "llm-platform",
                "gpt-4o",
                "openai",
                "anthropic-key",
                "shareWith: {namespaces: [support]}"))
        .create();
    workflowUsing("support", "ticket-app", "llm-platform/claude", "llm-platform/gpt-4o");
    Eventually.await(
        "two entries",
        () -> copy("support", "ticket-app").map(s -> s.getData().size() == 2).orElse(false));

    RoutingPolicy onlyGpt =
        HostedFixtures.policy("support", "ticket-app-policy", "llm-platform/gpt-4o");
    client.resource(onlyGpt).update();
    Eventually.await(
        "claude entry removed",
        () ->
            copy("support", "ticket-app")
                .map(s -> s.getData().keySet().equals(java.util.Set.of("llm-platform.gpt-4o")))
                .orElse(false));

    client
        .resource(HostedFixtures.policy("support", "ticket-app-policy", "llm-platform/llama"))
        .update();
    Eventually.await("copy deleted", () -> copy("support", "ticket-app").isEmpty());
    awaitCondition("support", "ticket-app", "True", "NoHostedBackends");
  }

  @Test
  void copyIsDeletedWhenTheNamespaceIsNoLongerAdmitted() {
    workflowUsing("support", "ticket-app", "llm-platform/claude");
    Eventually.await("copy", () -> copy("support", "ticket-app").isPresent());

    Namespace support = client.namespaces().withName("support").get();
    support.getMetadata().setLabels(Map.of("team", "archived"));
    client.resource(support).update();

    Eventually.await("copy deleted", () -> copy("support", "ticket-app").isEmpty());
    awaitCondition("support", "ticket-app", "False", "NamespaceNotAdmitted");
  }

  @Test
  void copyIsDeletedWhenTheBackendStopsSharing() {
    workflowUsing("support", "ticket-app", "llm-platform/claude");
    Eventually.await("copy", () -> copy("support", "ticket-app").isPresent());

    client
        .resource(HostedFixtures.hosted("llm-platform", "claude", "anthropic", "anthropic-key", ""))
        .update();

    Eventually.await("copy deleted", () -> copy("support", "ticket-app").isEmpty());
    awaitCondition("support", "ticket-app", "False", "NamespaceNotAdmitted");
    assertThat(provisioned("support", "ticket-app").orElseThrow().getMessage())
        .contains("no spec.hosted.shareWith");
  }

  @Test
  void missingSourceIsReportedAndProvisionedOnceItAppears() {
    client
        .resource(
            HostedFixtures.hosted(
                "llm-platform",
                "gemini",
                "gemini",
                "gemini-key",
                "shareWith: {namespaces: [support]}"))
        .create();
    workflowUsing("support", "ticket-app", "llm-platform/gemini");

    awaitCondition("support", "ticket-app", "False", "CredentialsUnresolved");
    assertThat(provisioned("support", "ticket-app").orElseThrow().getMessage())
        .contains("llm-platform/gemini-key");
    assertThat(copy("support", "ticket-app")).isEmpty();

    client
        .resource(HostedFixtures.sourceSecret("llm-platform", "gemini-key", "AIza-gemini-5e4d3c2b"))
        .create();
    Eventually.await("copy", () -> copy("support", "ticket-app").isPresent());
    awaitCondition("support", "ticket-app", "True", "Provisioned");
  }

  @Test
  void unlabelledSourceIsInvisibleAndTheConditionSaysWhy() {
    Secret unlabelled =
        HostedFixtures.sourceSecret("llm-platform", "openai-key", "sk-unlabelled-1234");
    unlabelled.getMetadata().setLabels(Map.of());
    client.resource(unlabelled).create();
    client
        .resource(
            HostedFixtures.hosted(
                "llm-platform",
                "gpt-4o",
                "openai",
                "openai-key",
                "shareWith: {namespaces: [support]}"))
        .create();
    workflowUsing("support", "ticket-app", "llm-platform/gpt-4o");

    awaitCondition("support", "ticket-app", "False", "CredentialsUnresolved");
    assertThat(provisioned("support", "ticket-app").orElseThrow().getMessage())
        .contains("aihandler.io/credentials");
  }

  @Test
  void aSecretOfTheSameNameThatIsNotOursIsLeftAlone() {
    Secret foreign =
        HostedFixtures.sourceSecret("support", "ticket-app-credentials", "user-owned-value");
    foreign.getMetadata().setLabels(Map.of());
    client.resource(foreign).create();
    workflowUsing("support", "ticket-app", "llm-platform/claude");

    awaitCondition("support", "ticket-app", "False", "SecretNameTaken");
    assertThat(decoded(copy("support", "ticket-app").orElseThrow().getData().get("api-key")))
        .isEqualTo("user-owned-value");
  }

  @Test
  void otherConditionsOfTheWorkflowAreKept() {
    workflowUsing("support", "ticket-app", "llm-platform/claude");
    awaitCondition("support", "ticket-app", "True", "Provisioned");
    Workflow current =
        client.resources(Workflow.class).inNamespace("support").withName("ticket-app").get();
    current
        .getStatus()
        .setConditions(
            Conditions.merge(
                current.getStatus().getConditions(),
                List.of(
                    new Conditions.Desired(
                        "ExternalAudit", true, "Passed", "checked by another controller")),
                1L,
                java.time.Instant.now()));
    client.resource(current).updateStatus();

    client
        .resource(HostedFixtures.hosted("llm-platform", "claude", "anthropic", "anthropic-key", ""))
        .update();
    awaitCondition("support", "ticket-app", "False", "NamespaceNotAdmitted");
    Workflow after =
        client.resources(Workflow.class).inNamespace("support").withName("ticket-app").get();
    assertThat(Conditions.lookup(after.getStatus().getConditions(), "ExternalAudit")).isPresent();
  }
}
