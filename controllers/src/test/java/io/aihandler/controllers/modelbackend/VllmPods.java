package io.aihandler.controllers.modelbackend;

import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.List;

/** Pods of a vLLM backend in the states the kubelet and scheduler report. */
final class VllmPods {

  private VllmPods() {}

  static Pod pod(String backend, String name, PodStatus status) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("models")
        .addToLabels("app.kubernetes.io/name", "vllm")
        .addToLabels(VllmBackend.BACKEND_LABEL, backend)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("vllm")
        .withImage(VllmBackend.DEFAULT_IMAGE)
        .endContainer()
        .endSpec()
        .withStatus(status)
        .build();
  }

  static PodStatus unschedulable(String message) {
    return new PodStatusBuilder()
        .withPhase("Pending")
        .withConditions(condition("PodScheduled", "False", "Unschedulable", message))
        .build();
  }

  static PodStatus imagePullFailing() {
    return running(
        new ContainerStatusBuilder()
            .withName("vllm")
            .withImage(VllmBackend.DEFAULT_IMAGE)
            .withReady(false)
            .withRestartCount(0)
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"" + VllmBackend.DEFAULT_IMAGE + "\"")
            .endWaiting()
            .endState()
            .build(),
        "Pending",
        false);
  }

  static PodStatus crashLooping() {
    return running(
        new ContainerStatusBuilder()
            .withName("vllm")
            .withImage(VllmBackend.DEFAULT_IMAGE)
            .withReady(false)
            .withRestartCount(4)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withReason("OOMKilled")
            .withExitCode(137)
            .endTerminated()
            .endLastState()
            .build(),
        "Running",
        false);
  }

  static PodStatus loading() {
    return running(
        new ContainerStatusBuilder()
            .withName("vllm")
            .withImage(VllmBackend.DEFAULT_IMAGE)
            .withReady(false)
            .withStarted(false)
            .withRestartCount(0)
            .withNewState()
            .withNewRunning()
            .withStartedAt("2026-01-01T00:00:00Z")
            .endRunning()
            .endState()
            .build(),
        "Running",
        false);
  }

  static PodStatus serving(String podIp) {
    PodStatus status =
        running(
            new ContainerStatusBuilder()
                .withName("vllm")
                .withImage(VllmBackend.DEFAULT_IMAGE)
                .withReady(true)
                .withStarted(true)
                .withRestartCount(0)
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-01-01T00:00:00Z")
                .endRunning()
                .endState()
                .build(),
            "Running",
            true);
    status.setPodIP(podIp);
    return status;
  }

  private static PodStatus running(ContainerStatus container, String phase, boolean ready) {
    return new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(
            condition("PodScheduled", "True", null, null),
            condition("Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", null))
        .withContainerStatuses(List.of(container))
        .build();
  }

  private static PodCondition condition(String type, String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }
}
