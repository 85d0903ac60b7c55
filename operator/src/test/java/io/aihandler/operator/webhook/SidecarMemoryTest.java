package io.aihandler.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.router.config.RouterConfig;
import io.aihandler.router.config.RouterConfigLoader;
import io.aihandler.router.config.SidecarHeap;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class SidecarMemoryTest {

  private static final ResourceRequirements DEFAULTS = SidecarInjectionSettings.standardResources();

  private static Workflow workflow(String tasks, String sidecar) {
    return Serialization.unmarshal(
        """
        apiVersion: aihandler.io/v1alpha1
        kind: Workflow
        metadata: {name: support-tickets, namespace: support}
        spec:
          policyRef: {name: support-routing}
          tasks: %s
        %s
        """
            .formatted(tasks, sidecar),
        Workflow.class);
  }

  private static final String PLAIN_TASKS = "[{name: classify, route: main}]";
  private static final String EVALUATING_TASKS =
      "[{name: classify, route: main, evaluate: {candidates: [{backend: {name: llama}, sampleRate: 0.1}]}}]";

  @Test
  void aPlainWorkflowGetsTheLaunchersHeapAndTheDefaultResources() {
    SidecarMemory memory = SidecarMemory.of(workflow(PLAIN_TASKS, ""), DEFAULTS);

    assertThat(memory.maxHeapMib()).isEqualTo(32);
    assertThat(memory.resources()).isEqualTo(DEFAULTS);
    assertThat(memory.resources().getRequests().get("memory").toString()).isEqualTo("128Mi");
  }

  @Test
  void shadowEvaluationAddsItsShareAndTheRequestFollowsTheHeap() {
    SidecarMemory memory = SidecarMemory.of(workflow(EVALUATING_TASKS, ""), DEFAULTS);

    // 29.5 MiB of need plus the 1 MiB shadow share, as usable heap behind a survivor space.
    assertThat(memory.maxHeapMib()).isEqualTo(33);
    assertThat(memory.resources().getRequests().get("memory").toString()).isEqualTo("129Mi");
    assertThat(memory.resources().getRequests().get("cpu"))
        .isEqualTo(DEFAULTS.getRequests().get("cpu"));
    assertThat(memory.resources().getLimits()).isEqualTo(DEFAULTS.getLimits());
  }

  @Test
  void theNeedIsTheOneTheSidecarComputesForTheSameTasks() throws Exception {
    String evaluatingDocument =
        """
        backends:
          - {name: gpt, provider: openai-compatible, baseUrl: "https://api.openai.com/v1", model: gpt-4o}
          - {name: llama, provider: vllm, baseUrl: "http://llama:8000/v1", model: llama}
        routes:
          - {name: main, targets: [{backend: gpt}]}
        tasks:
          - {name: classify, route: main, evaluate: {candidates: [{backend: llama, sampleRate: 0.1}]}}
        """;
    RouterConfig evaluating = RouterConfigLoader.parse(evaluatingDocument, "router.yaml");
    RouterConfig plain =
        RouterConfigLoader.parse(
            evaluatingDocument.replace(
                ", evaluate: {candidates: [{backend: llama, sampleRate: 0.1}]}", ""),
            "router.yaml");

    assertThat(SidecarMemory.needed(workflow(EVALUATING_TASKS, "")))
        .isEqualTo(SidecarHeap.needed(evaluating));
    assertThat(SidecarMemory.needed(workflow(PLAIN_TASKS, "")))
        .isEqualTo(SidecarHeap.needed(plain));
  }

  @Test
  void aMemoryRequestOfTheWorkflowsOwnGivesTheHeapWhatTheJvmLeaves() {
    SidecarMemory memory =
        SidecarMemory.of(
            workflow(
                PLAIN_TASKS,
                "  sidecar: {resources: {requests: {memory: 256Mi}, limits: {memory: 512Mi}}}"),
            DEFAULTS);

    assertThat(memory.maxHeapMib()).isEqualTo(256 - SidecarMemory.OUTSIDE_HEAP_MIB);
    assertThat(memory.resources().getLimits().get("memory").toString()).isEqualTo("512Mi");
    assertThat(memory.resources().getRequests().get("memory").toString()).isEqualTo("256Mi");
  }

  @Test
  void aLimitAloneIsTheRequestAsKubernetesTakesIt() {
    SidecarMemory memory =
        SidecarMemory.of(
            workflow(PLAIN_TASKS, "  sidecar: {resources: {limits: {memory: 1Gi}}}"), DEFAULTS);
    assertThat(memory.maxHeapMib()).isEqualTo(1024 - SidecarMemory.OUTSIDE_HEAP_MIB);
  }

  @Test
  void memoryTooSmallForTheDocumentStillGetsTheHeapTheDocumentNeeds() {
    // The sidecar would refuse a smaller heap at start; the memory is the Workflow's to raise.
    SidecarMemory small =
        SidecarMemory.of(
            workflow(PLAIN_TASKS, "  sidecar: {resources: {limits: {memory: 100Mi}}}"), DEFAULTS);
    assertThat(small.maxHeapMib()).isEqualTo(32);
  }

  @Test
  void theExamplesResourcesGiveTheLaunchersHeap() {
    SidecarMemory memory =
        SidecarMemory.of(
            workflow(
                PLAIN_TASKS,
                "  sidecar: {resources: {requests: {cpu: 50m, memory: 128Mi},"
                    + " limits: {memory: 256Mi}}}"),
            DEFAULTS);
    assertThat(memory.maxHeapMib()).isEqualTo(32);
  }

  @Test
  void resourcesWithoutMemoryAreKeptAndTheHeapIsTheDocumentsNeed() {
    SidecarMemory memory =
        SidecarMemory.of(
            workflow(PLAIN_TASKS, "  sidecar: {resources: {requests: {cpu: 100m}}}"), DEFAULTS);

    assertThat(memory.maxHeapMib()).isEqualTo(32);
    assertThat(memory.resources().getLimits()).isNullOrEmpty();
    assertThat(memory.resources().getRequests()).containsOnlyKeys("cpu");
  }

  @Test
  void c2AsWellAsksForItsOwnMemoryBesideTheHeap() {
    SidecarMemory memory =
        SidecarMemory.of(workflow(PLAIN_TASKS, "  sidecar: {jit: full}"), DEFAULTS);
    assertThat(memory.maxHeapMib()).isEqualTo(32);
    assertThat(memory.resources().getRequests().get("memory").toString())
        .isEqualTo((32 + SidecarMemory.OUTSIDE_HEAP_FULL_JIT_MIB) + "Mi");
    assertThat(memory.resources().getLimits()).isEqualTo(DEFAULTS.getLimits());

    SidecarMemory asked =
        SidecarMemory.of(
            workflow(PLAIN_TASKS, "  sidecar: {jit: full, resources: {requests: {memory: 256Mi}}}"),
            DEFAULTS);
    assertThat(asked.maxHeapMib()).isEqualTo(256 - SidecarMemory.OUTSIDE_HEAP_FULL_JIT_MIB);
  }

  @Test
  void aLimitBelowTheHeapAndTheJvmIsRefusedWithTheNumbers() {
    assertThat(
            SidecarMemory.limitProblem(
                workflow(PLAIN_TASKS, "  sidecar: {resources: {limits: {memory: 100Mi}}}")))
        .hasValueSatisfying(
            problem ->
                assertThat(problem)
                    .contains("limits.memory 100Mi")
                    .contains("128Mi")
                    .contains("32Mi heap")
                    .contains("96Mi for the JVM"));
    assertThat(
            SidecarMemory.limitProblem(
                workflow(
                    PLAIN_TASKS, "  sidecar: {jit: full, resources: {limits: {memory: 160Mi}}}")))
        .hasValueSatisfying(problem -> assertThat(problem).contains("176Mi").contains("C2"));
    assertThat(
            SidecarMemory.limitProblem(
                workflow(PLAIN_TASKS, "  sidecar: {resources: {limits: {memory: 128Mi}}}")))
        .isEmpty();
    assertThat(SidecarMemory.limitProblem(workflow(PLAIN_TASKS, ""))).isEmpty();
    assertThat(
            SidecarMemory.limitProblem(
                workflow(PLAIN_TASKS, "  sidecar: {resources: {requests: {memory: 64Mi}}}")))
        .as("a small request only schedules the pod tighter; the limit is what kills it")
        .isEmpty();
  }

  @Test
  void aQuantityTooLargeForAnyNodeIsCountedWithoutOverflow() {
    SidecarMemory huge =
        SidecarMemory.of(
            workflow(PLAIN_TASKS, "  sidecar: {resources: {requests: {memory: 1e30}}}"), DEFAULTS);
    assertThat(huge.maxHeapMib()).isEqualTo((1L << 40) - SidecarMemory.OUTSIDE_HEAP_MIB);
    assertThat(
            SidecarMemory.limitProblem(
                workflow(PLAIN_TASKS, "  sidecar: {resources: {limits: {memory: 1e30}}}")))
        .isEmpty();
  }
}
