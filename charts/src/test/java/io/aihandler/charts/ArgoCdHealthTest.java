package io.aihandler.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.charts.ArgoHealthScript.Health;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Argo CD health checks, run under luaj against statuses shaped like the operator's. */
class ArgoCdHealthTest {

  private static final ArgoHealthScript MODEL_BACKEND = ArgoHealthScript.of("ModelBackend");

  /** A resource of {@code kind} at generation 3 with the given status block (YAML, indented 2). */
  private static String resource(String kind, String spec, String status) {
    return """
        apiVersion: aihandler.io/v1alpha1
        kind: %s
        metadata:
          name: sample
          namespace: ml
          generation: 3
        spec:
        %s
        %s
        """
        .formatted(kind, spec.indent(2).stripTrailing(), status.stripTrailing());
  }

  private static String ready(
      String status, String reason, String message, int observedGeneration) {
    return """
        status:
          observedGeneration: 3
          conditions:
            - type: WorkloadAvailable
              status: "%1$s"
              reason: %2$s
              message: "%3$s"
              observedGeneration: %4$d
              lastTransitionTime: "2025-01-01T00:00:00Z"
            - type: Ready
              status: "%1$s"
              reason: %2$s
              message: "%3$s"
              observedGeneration: %4$d
              lastTransitionTime: "2025-01-01T00:00:00Z"
        """
        .formatted(status, reason, message, observedGeneration);
  }

  private static final String VLLM =
      """
      vllm:
        model: hf://meta-llama/Llama-3.3-70B-Instruct
        gpus: 4
      """;

  @Test
  void vllmBackendServingTheCurrentGenerationIsHealthy() {
    Health health =
        MODEL_BACKEND.assess(
            resource(
                "ModelBackend", VLLM, ready("True", "Serving", "2 of 2 vLLM pods serving", 3)));
    assertThat(health).isEqualTo(new Health("Healthy", "2 of 2 vLLM pods serving"));
  }

  @Test
  void hostedBackendWithUsableCredentialsIsHealthy() {
    String hosted =
        """
        hosted:
          provider: anthropic
          model: claude-sonnet-4-5
          credentials:
            secretRef: {name: anthropic, key: api-key}
        """;
    String status =
        """
        status:
          observedGeneration: 3
          type: hosted
          conditions:
            - {type: CredentialsResolved, status: "True", reason: Resolved, message: "found", observedGeneration: 3}
            - {type: CredentialsValid, status: "True", reason: Valid, message: "accepted", observedGeneration: 3}
            - {type: Ready, status: "True", reason: CredentialsUsable, message: "the provider's API can be used", observedGeneration: 3}
        """;
    assertThat(MODEL_BACKEND.assess(resource("ModelBackend", hosted, status)))
        .isEqualTo(new Health("Healthy", "the provider's API can be used"));
  }

  @Test
  void noStatusYetIsProgressing() {
    Health health = MODEL_BACKEND.assess(resource("ModelBackend", VLLM, ""));
    assertThat(health.status()).isEqualTo("Progressing");
    assertThat(health.message()).contains("status");
  }

  @Test
  void statusWithoutAReadyConditionIsProgressing() {
    Health health =
        MODEL_BACKEND.assess(
            resource("ModelBackend", VLLM, "status:\n  observedGeneration: 3\n  conditions: []"));
    assertThat(health.status()).isEqualTo("Progressing");
  }

  @Test
  void staleObservedGenerationIsProgressingEvenWhenReady() {
    String stale =
        ready("True", "Serving", "2 of 2 vLLM pods serving", 2)
            .replace("observedGeneration: 3", "observedGeneration: 2");
    Health health = MODEL_BACKEND.assess(resource("ModelBackend", VLLM, stale));
    assertThat(health.status()).isEqualTo("Progressing");
    assertThat(health.message()).contains("generation 3");
  }

  @Test
  void readyConditionOfAnOlderGenerationIsProgressing() {
    // The status was written for generation 3, but Ready still speaks of generation 2.
    Health health =
        MODEL_BACKEND.assess(
            resource(
                "ModelBackend", VLLM, ready("True", "Serving", "1 of 1 vLLM pods serving", 2)));
    assertThat(health.status()).isEqualTo("Progressing");
  }

  @Test
  void unknownReadyIsProgressing() {
    Health health =
        MODEL_BACKEND.assess(
            resource("ModelBackend", VLLM, ready("Unknown", "Reconciling", "", 3)));
    assertThat(health.status()).isEqualTo("Progressing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Progressing", "ModelLoading"})
  void vllmStillStartingIsProgressing(String reason) {
    Health health =
        MODEL_BACKEND.assess(
            resource(
                "ModelBackend",
                VLLM,
                ready("False", reason, "pod llama-0 is loading the model", 3)));
    assertThat(health).isEqualTo(new Health("Progressing", "pod llama-0 is loading the model"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "InsufficientGPUs",
        "Unschedulable",
        "CrashLooping",
        "ImagePullFailing",
        "ProgressDeadlineExceeded",
        "InvalidSpec",
        "SecretNotFound",
        "KeyNotFound",
        "Invalid"
      })
  void failingBackendIsDegradedWithTheConditionsMessage(String reason) {
    String message =
        "pod llama-0 cannot be scheduled: no node has enough free nvidia.com/gpu (" + reason + ")";
    Health health =
        MODEL_BACKEND.assess(resource("ModelBackend", VLLM, ready("False", reason, message, 3)));
    assertThat(health).isEqualTo(new Health("Degraded", message));
  }

  @Test
  void degradedWithoutAMessageFallsBackToTheReason() {
    String status =
        """
        status:
          observedGeneration: 3
          conditions:
            - {type: Ready, status: "False", reason: CrashLooping, observedGeneration: 3}
        """;
    assertThat(MODEL_BACKEND.assess(resource("ModelBackend", VLLM, status)))
        .isEqualTo(new Health("Degraded", "CrashLooping"));
  }

  @Test
  void vllmScaledToZeroOnPurposeIsSuspended() {
    String scaledToZero =
        """
        vllm:
          model: hf://meta-llama/Llama-3.3-70B-Instruct
          replicas: 0
        """;
    Health health =
        MODEL_BACKEND.assess(
            resource(
                "ModelBackend",
                scaledToZero,
                ready("False", "ScaledToZero", "Scaled to zero replicas", 3)));
    assertThat(health).isEqualTo(new Health("Suspended", "Scaled to zero replicas"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"WorkloadAvailable", "CredentialsResolved", "CredentialsValid"})
  void readyWhileAConditionItDependsOnIsFalseIsDegraded(String dependency) {
    String status =
        """
        status:
          observedGeneration: 3
          conditions:
            - {type: %s, status: "False", reason: Failing, message: "it broke", observedGeneration: 3}
            - {type: Ready, status: "True", reason: Serving, message: "serving", observedGeneration: 3}
        """
            .formatted(dependency);
    assertThat(MODEL_BACKEND.assess(resource("ModelBackend", VLLM, status)))
        .isEqualTo(new Health("Degraded", dependency + ": it broke"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RoutingPolicy", "Workflow"})
  void policiesAndWorkflowsFollowTheirReadyCondition(String kind) {
    ArgoHealthScript script = ArgoHealthScript.of(kind);
    String spec = "policyRef: {name: support}";
    String status =
        """
        status:
          observedGeneration: 3
          conditions:
            - {type: ResolvedRefs, status: "True", reason: Resolved, message: "ok", observedGeneration: 3}
            - {type: Ready, status: "%s", reason: %s, message: "%s", observedGeneration: 3}
        """;
    assertThat(
            script.assess(
                resource(
                    kind,
                    spec,
                    status.formatted("True", "Ready", "Every route has a ready backend"))))
        .isEqualTo(new Health("Healthy", "Every route has a ready backend"));
    assertThat(
            script.assess(
                resource(
                    kind,
                    spec,
                    status.formatted(
                        "False", "BackendsNotReady", "route classify: llama-70b is not ready"))))
        .isEqualTo(new Health("Progressing", "route classify: llama-70b is not ready"));
    for (String reason : List.of("UnresolvedRefs", "Invalid", "CredentialsUnresolved")) {
      assertThat(
              script.assess(
                  resource(
                      kind,
                      spec,
                      status.formatted("False", reason, "backend gpt-4o does not exist"))))
          .as(reason)
          .isEqualTo(new Health("Degraded", "backend gpt-4o does not exist"));
    }
    assertThat(script.assess(resource(kind, spec, "")))
        .extracting(Health::status)
        .isEqualTo("Progressing");
    assertThat(
            script.assess(
                resource(
                    kind,
                    spec,
                    status
                        .formatted("True", "Ready", "ok")
                        .replaceFirst("observedGeneration: 3", "observedGeneration: 1"))))
        .extracting(Health::status)
        .isEqualTo("Progressing");
    // Only ModelBackends are ever Suspended: a policy whose Ready says ScaledToZero is not healthy.
    assertThat(
            script.assess(
                resource(kind, spec, status.formatted("False", "ScaledToZero", "nothing serves"))))
        .extracting(Health::status)
        .isEqualTo("Degraded");
  }
}
