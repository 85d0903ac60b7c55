package io.aihandler.controllers.modelbackend;

import io.aihandler.controllers.status.Conditions;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads a vLLM backend's Deployment and pods and says whether it serves, and if not, why, in terms
 * an operator can act on: image pull failing, crash-looping, not enough GPUs, model still loading,
 * or just progressing.
 *
 * @param availableReplicas pods serving for at least the Deployment's minReadySeconds
 * @param readyReplicas pods passing their readiness probe
 * @param existingPods pods of the backend that exist
 * @param workloadAvailable the WorkloadAvailable condition
 * @param readyCondition the Ready condition
 */
public record VllmWorkloadHealth(
    int availableReplicas,
    int readyReplicas,
    int existingPods,
    Conditions.Desired workloadAvailable,
    Conditions.Desired readyCondition) {

  /** Reasons of the conditions. */
  public static final String REASON_SERVING = "Serving";

  public static final String REASON_PROGRESSING = "Progressing";
  public static final String REASON_MODEL_LOADING = "ModelLoading";
  public static final String REASON_INSUFFICIENT_GPUS = "InsufficientGPUs";
  public static final String REASON_UNSCHEDULABLE = "Unschedulable";
  public static final String REASON_CRASH_LOOPING = "CrashLooping";
  public static final String REASON_IMAGE_PULL_FAILING = "ImagePullFailing";
  public static final String REASON_PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  public static final String REASON_SCALED_TO_ZERO = "ScaledToZero";
  public static final String REASON_INVALID_SPEC = "InvalidSpec";

  private static final Set<String> IMAGE_PULL_REASONS =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

  /** A problem seen on one pod, ranked by how much it explains. */
  record PodProblem(int rank, String reason, String message) {}

  /**
   * Assesses the workload.
   *
   * @param deployment the Deployment, or null when it does not exist yet
   * @param pods the backend's pods
   * @param desiredReplicas the replicas wanted
   * @param gpuResourceName the extended resource GPUs are requested under, to spot missing GPUs
   */
  public static VllmWorkloadHealth assess(
      Deployment deployment, List<Pod> pods, int desiredReplicas, String gpuResourceName) {
    return assess(deployment, pods, desiredReplicas, gpuResourceName, false);
  }

  /**
   * Assesses the workload.
   *
   * @param wakesOnDemand the backend scales to zero when idle and an activation wakes it: at zero
   *     it is Ready (reason {@value #REASON_SCALED_TO_ZERO}), since routers hold or spill over its
   *     requests while it loads; a backend fixed at zero replicas is not
   */
  public static VllmWorkloadHealth assess(
      Deployment deployment,
      List<Pod> pods,
      int desiredReplicas,
      String gpuResourceName,
      boolean wakesOnDemand) {
    if (desiredReplicas == 0 && wakesOnDemand) {
      String message = "Scaled to zero while idle; the next request wakes it";
      int ready =
          deployment == null || deployment.getStatus() == null
              ? 0
              : orZero(deployment.getStatus().getReadyReplicas());
      return new VllmWorkloadHealth(
          0,
          ready,
          pods.size(),
          new Conditions.Desired(
              Conditions.WORKLOAD_AVAILABLE, false, REASON_SCALED_TO_ZERO, message),
          new Conditions.Desired(Conditions.READY, true, REASON_SCALED_TO_ZERO, message));
    }
    int existing = pods.size();
    if (deployment == null) {
      var progressing =
          new Conditions.Desired(
              Conditions.WORKLOAD_AVAILABLE,
              false,
              REASON_PROGRESSING,
              "Creating the vLLM Deployment");
      return new VllmWorkloadHealth(
          0, 0, existing, progressing, withType(progressing, Conditions.READY));
    }
    DeploymentStatus status =
        deployment.getStatus() == null ? new DeploymentStatus() : deployment.getStatus();
    int available = orZero(status.getAvailableReplicas());
    int ready = orZero(status.getReadyReplicas());
    Optional<PodProblem> problem =
        pods.stream()
            .map(pod -> diagnose(pod, gpuResourceName))
            .flatMap(Optional::stream)
            .max(Comparator.comparingInt(PodProblem::rank));

    Conditions.Desired workload;
    if (desiredReplicas == 0) {
      workload =
          new Conditions.Desired(
              Conditions.WORKLOAD_AVAILABLE,
              false,
              REASON_SCALED_TO_ZERO,
              "Scaled to zero replicas");
    } else if (available > 0) {
      String message = available + " of " + desiredReplicas + " vLLM pods serving";
      if (rolloutInProgress(deployment, status, desiredReplicas)) {
        message += "; rollout in progress";
      }
      if (problem.isPresent() && problem.get().rank() > 0) {
        message += "; " + problem.get().message();
      }
      workload =
          new Conditions.Desired(Conditions.WORKLOAD_AVAILABLE, true, REASON_SERVING, message);
    } else if (problem.isPresent()) {
      workload =
          new Conditions.Desired(
              Conditions.WORKLOAD_AVAILABLE,
              false,
              problem.get().reason(),
              problem.get().message());
    } else if (deadlineExceeded(status)) {
      workload =
          new Conditions.Desired(
              Conditions.WORKLOAD_AVAILABLE,
              false,
              REASON_PROGRESS_DEADLINE_EXCEEDED,
              "The Deployment exceeded its progress deadline without a serving pod");
    } else {
      workload =
          new Conditions.Desired(
              Conditions.WORKLOAD_AVAILABLE,
              false,
              REASON_PROGRESSING,
              existing == 0
                  ? "Waiting for vLLM pods to be created"
                  : "Waiting for vLLM pods to start");
    }
    return new VllmWorkloadHealth(
        available, ready, existing, workload, withType(workload, Conditions.READY));
  }

  /** The conditions of a backend whose spec cannot be turned into a workload. */
  public static List<Conditions.Desired> invalidSpec(String message) {
    return List.of(
        new Conditions.Desired(Conditions.WORKLOAD_AVAILABLE, false, REASON_INVALID_SPEC, message),
        new Conditions.Desired(Conditions.READY, false, REASON_INVALID_SPEC, message));
  }

  /** Both conditions, in the order they appear in the status. */
  public List<Conditions.Desired> conditions() {
    return List.of(readyCondition, workloadAvailable);
  }

  private static Conditions.Desired withType(Conditions.Desired condition, String type) {
    return new Conditions.Desired(
        type, condition.status(), condition.reason(), condition.message());
  }

  /** The most telling problem of one pod; rank 0 means only "still loading". */
  static Optional<PodProblem> diagnose(Pod pod, String gpuResourceName) {
    String name = pod.getMetadata().getName();
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> containers =
        Stream.concat(
                Optional.ofNullable(pod.getStatus().getInitContainerStatuses())
                    .orElse(List.of())
                    .stream(),
                Optional.ofNullable(pod.getStatus().getContainerStatuses())
                    .orElse(List.of())
                    .stream())
            .toList();
    for (ContainerStatus container : containers) {
      var waiting = container.getState() == null ? null : container.getState().getWaiting();
      if (waiting != null && IMAGE_PULL_REASONS.contains(waiting.getReason())) {
        return Optional.of(
            new PodProblem(
                4,
                REASON_IMAGE_PULL_FAILING,
                "pod "
                    + name
                    + " cannot pull image "
                    + container.getImage()
                    + " ("
                    + waiting.getReason()
                    + ")"
                    + detail(waiting.getMessage())));
      }
    }
    for (ContainerStatus container : containers) {
      var waiting = container.getState() == null ? null : container.getState().getWaiting();
      if (waiting != null && "CrashLoopBackOff".equals(waiting.getReason())) {
        var last =
            container.getLastState() == null ? null : container.getLastState().getTerminated();
        String exit =
            last == null
                ? ""
                : "; last exit " + last.getReason() + " (code " + last.getExitCode() + ")";
        return Optional.of(
            new PodProblem(
                3,
                REASON_CRASH_LOOPING,
                "pod "
                    + name
                    + " is crash-looping after "
                    + orZero(container.getRestartCount())
                    + " restarts"
                    + exit
                    + "; see kubectl logs "
                    + name
                    + " --previous"));
      }
    }
    for (PodCondition condition :
        Optional.ofNullable(pod.getStatus().getConditions()).orElse(List.of())) {
      if ("PodScheduled".equals(condition.getType())
          && "False".equals(condition.getStatus())
          && "Unschedulable".equals(condition.getReason())) {
        String message = Objects.toString(condition.getMessage(), "");
        if (message.contains("Insufficient " + gpuResourceName)) {
          return Optional.of(
              new PodProblem(
                  2,
                  REASON_INSUFFICIENT_GPUS,
                  "pod "
                      + name
                      + " cannot be scheduled: no node has enough free "
                      + gpuResourceName
                      + detail(message)));
        }
        return Optional.of(
            new PodProblem(
                2, REASON_UNSCHEDULABLE, "pod " + name + " cannot be scheduled" + detail(message)));
      }
    }
    for (ContainerStatus container : containers) {
      boolean running = container.getState() != null && container.getState().getRunning() != null;
      if (running && !Boolean.TRUE.equals(container.getReady())) {
        return Optional.of(
            new PodProblem(
                0,
                REASON_MODEL_LOADING,
                Boolean.TRUE.equals(container.getStarted())
                    ? "pod " + name + " started but does not pass its readiness check yet"
                    : "pod " + name + " is downloading and loading the model"));
      }
    }
    return Optional.empty();
  }

  private static boolean rolloutInProgress(
      Deployment deployment, DeploymentStatus status, int desired) {
    Long generation = deployment.getMetadata().getGeneration();
    boolean observed =
        generation == null
            || status.getObservedGeneration() == null
            || status.getObservedGeneration() >= generation;
    return !observed
        || orZero(status.getUpdatedReplicas()) < desired
        || orZero(status.getReplicas()) > desired;
  }

  private static boolean deadlineExceeded(DeploymentStatus status) {
    for (DeploymentCondition condition :
        Optional.ofNullable(status.getConditions()).orElse(List.of())) {
      if ("Progressing".equals(condition.getType())
          && "ProgressDeadlineExceeded".equals(condition.getReason())) {
        return true;
      }
    }
    return false;
  }

  private static String detail(String message) {
    return message == null || message.isBlank() ? "" : ": " + message;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
