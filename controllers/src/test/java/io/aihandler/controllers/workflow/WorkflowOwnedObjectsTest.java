package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.testing.Manifests;
import io.aihandler.api.v1alpha1.Egress;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.api.v1alpha1.WorkflowSpec;
import io.aihandler.controllers.owned.OwnedObjectApplier;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.testing.Eventually;
import io.aihandler.controllers.testing.MockKubernetesApi;
import io.aihandler.controllers.testing.RunningOperator;
import io.aihandler.controllers.testing.ServerSideApplyDispatcher;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The objects a Workflow owns besides its router document, on the reference scenario of {@code
 * examples/}: the egress NetworkPolicy of {@code spec.egress: restricted}, the Ready condition and
 * Events when an apply is refused, and taking over objects an older operator applied under its own
 * field managers.
 */
class WorkflowOwnedObjectsTest {

  private MockKubernetesApi api;
  private KubernetesClient client;
  private RunningOperator operator;

  @BeforeEach
  void startWithTheExamples() throws IOException {
    api = MockKubernetesApi.startWithCrds();
    client = api.client();
    try (Stream<Path> files = Files.list(Manifests.repositoryRoot().resolve("examples"))) {
      for (JsonNode object :
          files
              .filter(f -> f.toString().endsWith(".yaml"))
              .sorted()
              .flatMap(f -> Manifests.read(f).stream())
              .toList()) {
        if (!object.path("kind").asText().equals("Deployment")) {
          client
              .resource(
                  client
                      .getKubernetesSerialization()
                      .unmarshal(object.toString(), HasMetadata.class))
              .create();
        }
      }
    }
    operator = RunningOperator.start(api, new WorkflowReconciler());
    Eventually.await("Ready", () -> readyReasonIs("Ready"));
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  private Workflow workflow() {
    return client
        .resources(Workflow.class)
        .inNamespace("support")
        .withName("support-tickets")
        .get();
  }

  private Condition ready() {
    Workflow workflow = workflow();
    return workflow.getStatus() == null
        ? null
        : Conditions.find(workflow.getStatus().getConditions(), Conditions.READY);
  }

  private boolean readyReasonIs(String reason) {
    Condition ready = ready();
    return ready != null && reason.equals(ready.getReason());
  }

  private NetworkPolicy egressPolicy() {
    return client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace("support")
        .withName("support-tickets-egress")
        .get();
  }

  private ConfigMap routerConfig() {
    return client.configMaps().inNamespace("support").withName("support-tickets-router").get();
  }

  private void editSpec(UnaryOperator<WorkflowSpec> change) {
    client
        .resources(Workflow.class)
        .inNamespace("support")
        .withName("support-tickets")
        .edit(
            workflow -> {
              workflow.setSpec(change.apply(workflow.getSpec()));
              return workflow;
            });
  }

  private static WorkflowSpec withEgress(WorkflowSpec spec, Egress egress) {
    return new WorkflowSpec(spec.policyRef(), spec.tasks(), spec.sidecar(), egress);
  }

  @Test
  void restrictedEgressIsANetworkPolicyOwnedByTheWorkflowAndGoesWithTheSetting() {
    assertThat(egressPolicy()).as("unrestricted by default").isNull();

    // The article-embeddings route has only a hosted backend: its task goes, the rest may stay
    // in-cluster.
    editSpec(
        spec ->
            new WorkflowSpec(
                spec.policyRef(),
                spec.tasks().stream()
                    .filter(task -> !task.route().equals("article-embeddings"))
                    .toList(),
                spec.sidecar(),
                Egress.RESTRICTED));
    Eventually.await("NetworkPolicy", () -> egressPolicy() != null);
    NetworkPolicy policy = egressPolicy();
    assertThat(policy.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> assertThat(owner.getUid()).isEqualTo(workflow().getMetadata().getUid()));
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of(Workflow.WORKFLOW_LABEL, "support-tickets"));
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
    // DNS, and the in-cluster backends the routes name; the hosted ones are not reachable.
    assertThat(policy.getSpec().getEgress()).hasSize(3);
    assertThat(policy.getSpec().getEgress().subList(1, 3))
        .extracting(rule -> rule.getTo().getFirst())
        .allSatisfy(
            peer ->
                assertThat(peer.getNamespaceSelector().getMatchLabels())
                    .isEqualTo(Map.of("kubernetes.io/metadata.name", "llm-platform")))
        .extracting(
            peer -> peer.getPodSelector().getMatchLabels().get("aihandler.io/model-backend"))
        .containsExactly("bge-m3", "llama-3-3-70b");
    Eventually.await(
        "Ready names the policy",
        () ->
            readyReasonIs("Ready")
                && ready()
                    .getMessage()
                    .contains("egress restricted by NetworkPolicy support-tickets-egress"));

    editSpec(spec -> withEgress(spec, Egress.UNRESTRICTED));
    Eventually.await("NetworkPolicy deleted", () -> egressPolicy() == null);
  }

  @Test
  void restrictedEgressWithATaskThatOnlyHostedBackendsServeIsNotReady() {
    client
        .resources(io.aihandler.api.v1alpha1.RoutingPolicy.class)
        .inNamespace("support")
        .withName("support-routing")
        .edit(
            policy -> {
              var routes =
                  policy.getSpec().routes().stream()
                      .map(
                          route ->
                              route.name().equals("summarization")
                                  ? new io.aihandler.api.v1alpha1.Route(
                                      route.name(),
                                      route.targets().stream()
                                          .filter(t -> !t.backend().name().startsWith("llama"))
                                          .toList(),
                                      route.strategy(),
                                      route.fallbackOn(),
                                      route.maxAttempts(),
                                      route.backoff(),
                                      route.perTryTimeout(),
                                      route.timeout(),
                                      route.circuitBreaker(),
                                      route.spillOver(),
                                      route.coldStartTimeout())
                                  : route)
                      .toList();
              policy.setSpec(
                  new io.aihandler.api.v1alpha1.RoutingPolicySpec(
                      routes,
                      policy.getSpec().dataClasses(),
                      policy.getSpec().defaultDataClass(),
                      policy.getSpec().unscannableDataClass()));
              return policy;
            });
    editSpec(spec -> withEgress(spec, Egress.RESTRICTED));

    Eventually.await("UnresolvedRefs", () -> readyReasonIs("UnresolvedRefs"));
    assertThat(ready().getMessage())
        .contains(
            "task summarize-thread: spec.egress is restricted", "route summarization has none")
        .contains("route article-embeddings has none");
    assertThat(egressPolicy()).as("the pods are restricted all the same").isNotNull();
  }

  @Test
  void aRefusedApplyTurnsReadyFalseWithTheReasonAndAnEvent() {
    api.refuse(
        new ServerSideApplyDispatcher.Refusal(
            "/configmaps/support-tickets-router",
            "data[router.yaml]",
            "exceeded quota: configmaps"));
    // A new task description changes the document, so the ConfigMap must be applied again.
    editSpec(
        spec ->
            new WorkflowSpec(
                spec.policyRef(), spec.tasks().subList(0, 2), spec.sidecar(), spec.egress()));

    Eventually.await("ApplyFailed", () -> readyReasonIs(Conditions.APPLY_FAILED));
    assertThat(ready().getStatus()).isEqualTo("False");
    assertThat(ready().getMessage())
        .contains(
            "cannot apply ConfigMap support/support-tickets-router",
            "HTTP 422 Invalid",
            "data[router.yaml]");
    List<Event> events =
        client.v1().events().inNamespace("support").list().getItems().stream()
            .filter(e -> "Workflow".equals(e.getInvolvedObject().getKind()))
            .toList();
    assertThat(events)
        .extracting(e -> e.getType() + " " + e.getReason())
        .contains("Normal Ready", "Warning " + Conditions.APPLY_FAILED);

    api.acceptAll();
    Eventually.await("Ready again", java.time.Duration.ofSeconds(30), () -> readyReasonIs("Ready"));
  }

  @Test
  void objectsAppliedByTheOlderOperatorsFieldManagersAreTakenOver() {
    // What the previous release left: the ConfigMap owned by the "workflow" field manager, without
    // the desired-state hash this release keeps.
    operator.close();
    ConfigMap legacy = routerConfig();
    ManagedFieldsEntry entry =
        new ManagedFieldsEntryBuilder()
            .withManager("workflow")
            .withOperation("Apply")
            .withApiVersion("v1")
            .withFieldsType("FieldsV1")
            .withTime("2026-11-01T10:00:00Z")
            .build();
    legacy.getMetadata().setManagedFields(List.of(entry));
    legacy.getMetadata().getAnnotations().remove(OwnedObjectApplier.DESIRED_HASH_ANNOTATION);
    client.resource(legacy).update();
    assertThat(routerConfig().getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .containsExactly("workflow");

    operator = RunningOperator.start(api, new WorkflowReconciler());
    Eventually.await(
        "taken over",
        () ->
            routerConfig()
                .getMetadata()
                .getAnnotations()
                .containsKey(OwnedObjectApplier.DESIRED_HASH_ANNOTATION));
    assertThat(routerConfig().getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .containsExactly(OwnedObjectApplier.FIELD_MANAGER);
  }
}
