package io.aihandler.demo.cluster;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Plays the Deployment controller and the kubelet for one vLLM Deployment whose replicas the
 * operator moves (scale to zero and back): it polls the Deployment, and when replicas are wanted
 * and no pod exists it creates one that runs but is not ready (vLLM loading its weights), then,
 * after the simulated load time, reports it ready; when zero are wanted it deletes the pods. Every
 * step is reported to a listener, so a demo scene can print the timeline.
 */
public final class LoadingKubelet implements AutoCloseable {

  /** What a step did to the pod. */
  public enum Change {
    /** A pod was created and loads the model: it runs but is not ready. */
    STARTED,
    /** The pod loaded the model and is ready. */
    READY,
    /** Zero replicas are wanted: the pods were deleted. */
    DELETED,
    /** The step failed (the API refused a write); the next step tries again. */
    FAILED
  }

  /** One step the emulated cluster took. */
  public record Step(Instant at, Change change, String what) {}

  private final KubernetesClient client;
  private final String namespace;
  private final String deployment;
  private final String podIp;
  private final Duration loadTime;
  private final Consumer<Step> listener;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("loading-kubelet").factory());
  private Instant loadingSince;

  /**
   * @param podIp where the vLLM stand-in of the pod listens
   * @param loadTime how long the emulated vLLM takes to load its model
   * @param listener told of every step (pod created, ready, deleted)
   */
  public LoadingKubelet(
      KubernetesClient client,
      String namespace,
      String deployment,
      String podIp,
      Duration loadTime,
      Consumer<Step> listener) {
    this.client = client;
    this.namespace = namespace;
    this.deployment = deployment;
    this.podIp = podIp;
    this.loadTime = loadTime;
    this.listener = listener;
  }

  /** Starts following the Deployment, checking every {@code period}. */
  public LoadingKubelet start(Duration period) {
    timer.scheduleWithFixedDelay(this::step, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private synchronized void step() {
    try {
      Deployment current =
          client.apps().deployments().inNamespace(namespace).withName(deployment).get();
      if (current == null) {
        return;
      }
      int wanted = Optional.ofNullable(current.getSpec().getReplicas()).orElse(1);
      String podName = deployment + "-0";
      // Every pod of the Deployment, also those another kubelet started before this one ran.
      List<Pod> pods =
          client
              .pods()
              .inNamespace(namespace)
              .withLabels(current.getSpec().getSelector().getMatchLabels())
              .list()
              .getItems();
      Pod pod = pods.isEmpty() ? null : pods.getFirst();
      if (wanted == 0) {
        if (!pods.isEmpty()) {
          for (Pod gone : pods) {
            client.resource(gone).delete();
          }
          loadingSince = null;
          report(
              Change.DELETED,
              "scaled to zero: pod "
                  + String.join(", ", pods.stream().map(p -> p.getMetadata().getName()).toList())
                  + " deleted, GPUs released");
        }
        writeDeploymentStatus(current, 0, 0);
        return;
      }
      if (pod == null) {
        Pod created =
            new PodBuilder()
                .withNewMetadataLike(current.getSpec().getTemplate().getMetadata())
                .withName(podName)
                .withNamespace(namespace)
                .endMetadata()
                .withSpec(current.getSpec().getTemplate().getSpec())
                .build();
        created.getSpec().setNodeName("gpu-node-1");
        Pod stored = client.resource(created).create();
        loadingSince = Instant.now();
        stored.setStatus(status(false));
        client.resource(stored).updateStatus();
        writeDeploymentStatus(current, 1, 0);
        // Stamped with the moment the load began, from which readiness is counted, not with the
        // moment the status writes after it returned.
        report(
            loadingSince,
            Change.STARTED,
            "pod " + podName + " started: vLLM loads the model (" + loadTime.toMillis() + " ms)");
        return;
      }
      if (loadingSince != null && !Instant.now().isBefore(loadingSince.plus(loadTime))) {
        loadingSince = null;
        pod.setStatus(status(true));
        client.resource(pod).updateStatus();
        writeDeploymentStatus(current, 1, 1);
        report(Change.READY, "pod " + podName + " ready: the model is loaded and serves");
      }
    } catch (RuntimeException e) {
      report(Change.FAILED, "emulated kubelet step failed: " + e.getClass().getSimpleName());
    }
  }

  private io.fabric8.kubernetes.api.model.PodStatus status(boolean ready) {
    String now = Instant.now().toString();
    String readyText = ready ? "True" : "False";
    List<io.fabric8.kubernetes.api.model.ContainerStatus> containers = new ArrayList<>();
    containers.add(
        new ContainerStatusBuilder()
            .withName("vllm")
            .withReady(ready)
            .withStarted(true)
            .withRestartCount(0)
            .withNewState()
            .withNewRunning()
            .withStartedAt(now)
            .endRunning()
            .endState()
            .build());
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP(podIp)
        .withStartTime(now)
        .withConditions(
            new PodConditionBuilder().withType("PodScheduled").withStatus("True").build(),
            new PodConditionBuilder().withType("Initialized").withStatus("True").build(),
            new PodConditionBuilder().withType("ContainersReady").withStatus(readyText).build(),
            new PodConditionBuilder().withType("Ready").withStatus(readyText).build())
        .withContainerStatuses(containers)
        .build();
  }

  private void writeDeploymentStatus(Deployment current, int replicas, int ready) {
    var status = current.getStatus();
    if (status != null
        && Optional.ofNullable(status.getReplicas()).orElse(0) == replicas
        && Optional.ofNullable(status.getReadyReplicas()).orElse(0) == ready) {
      return;
    }
    current.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(current.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .build());
    client.resource(current).updateStatus();
  }

  private void report(Change change, String what) {
    report(Instant.now(), change, what);
  }

  private void report(Instant at, Change change, String what) {
    listener.accept(new Step(at, change, what));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
