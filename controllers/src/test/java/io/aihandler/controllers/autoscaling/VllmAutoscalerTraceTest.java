package io.aihandler.controllers.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.metrics.OperatorMetrics;
import io.aihandler.controllers.testing.ModelBackends;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replays load traces against stand-in vLLM pods serving real metric text, with time driven by a
 * clock the test moves: no sleeps. Each tick is one autoscaler evaluation 15 s apart; the test
 * plays the Deployment controller (pods appear for the replicas decided, and become ready after a
 * model-load time).
 */
class VllmAutoscalerTraceTest {

  private static final Duration TICK = Duration.ofSeconds(15);
  private static final int MAX_PODS = 6;

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-03-01T09:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final TestClock clock = new TestClock();
  private final List<VllmMetricsPod> pods = new ArrayList<>();
  private final Map<String, URI> urls = new HashMap<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final VllmAutoscaler autoscaler =
      new VllmAutoscaler(
          clock,
          new VllmMetricsScraper(Duration.ofSeconds(2)),
          pod -> urls.get(pod.getMetadata().getName()),
          OperatorMetrics.on(registry).backends());

  @AfterEach
  void stopPods() {
    pods.forEach(VllmMetricsPod::close);
  }

  private static VllmBackend backend(String scaling) {
    ModelBackend backend =
        ModelBackends.fromYaml(
            """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: llama, namespace: models}
        spec:
          vllm:
            model: hf://meta-llama/Llama-3.1-8B-Instruct
            scaling: %s
        """
                .formatted(scaling));
    return VllmBackend.of(backend);
  }

  private void startPods() throws IOException {
    for (int i = 0; i < MAX_PODS; i++) {
      VllmMetricsPod pod = new VllmMetricsPod("llama");
      pods.add(pod);
      urls.put("llama-" + i, pod.metricsUrl());
    }
  }

  private static Pod k8sPod(int index, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("llama-" + index)
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }

  /**
   * Runs a trace: at tick t the total queue across the backend is {@code totalQueue(t)}, spread
   * evenly over ready pods. Pods become ready {@code loadTicks} ticks after they are added.
   *
   * @return replicas after each tick
   */
  private List<Integer> replay(
      VllmBackend backend, int ticks, int loadTicks, IntToDoubleFunction totalQueue)
      throws IOException {
    startPods();
    List<Integer> replicas = new ArrayList<>();
    int current = backend.minReplicas();
    int[] addedAt = new int[MAX_PODS];
    for (int t = 0; t < ticks; t++) {
      List<Pod> k8sPods = new ArrayList<>();
      int ready = 0;
      for (int i = 0; i < current; i++) {
        boolean isReady = t - addedAt[i] >= loadTicks || i < backend.minReplicas();
        k8sPods.add(k8sPod(i, isReady));
        ready += isReady ? 1 : 0;
      }
      for (int i = 0; i < current; i++) {
        pods.get(i).load(totalQueue.applyAsDouble(t) / ready, 3, 0.4);
      }
      ScalingDecision decision = autoscaler.evaluate(backend, current, k8sPods);
      for (int i = current; i < decision.replicas(); i++) {
        addedAt[i] = t;
      }
      current = decision.replicas();
      replicas.add(current);
      clock.now = clock.now.plus(TICK);
    }
    return replicas;
  }

  private static int directionChanges(List<Integer> replicas) {
    int changes = 0;
    int lastDirection = 0;
    for (int i = 1; i < replicas.size(); i++) {
      int direction = Integer.signum(replicas.get(i) - replicas.get(i - 1));
      if (direction != 0) {
        if (lastDirection != 0 && direction != lastDirection) {
          changes++;
        }
        lastDirection = direction;
      }
    }
    return changes;
  }

  @Test
  void rampScalesUpAfterTheStabilizationWindowAndNotBefore() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 1, maxReplicas: 4, metric: queue, target: 5, scaleUpStabilization: 30s, scaleDownDelay: 5m}");
    // Queue grows by 1 per tick from 0: crosses one replica's target (5) at tick 6, stays under 2x
    // until tick 10.
    List<Integer> replicas = replay(backend, 20, 2, t -> t);

    assertThat(replicas.subList(0, 6)).as("below target").containsOnly(1);
    int firstUp = replicas.indexOf(2);
    // Load first exceeds one replica at tick 6; the recommendation must hold 30 s (2 ticks).
    assertThat(firstUp).as("reaction tick").isBetween(8, 9);
    assertThat(replicas).allSatisfy(r -> assertThat(r).isBetween(1, 4));
    assertThat(directionChanges(replicas)).isZero();
  }

  private double decisions(String direction) {
    Counter counter =
        registry
            .find("aihandler.operator.scaling.decisions")
            .tags("namespace", "models", "backend", "llama", "direction", direction)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void everyDecisionOfATraceIsCountedByItsDirection() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 1, maxReplicas: 4, metric: queue, target: 5, scaleUpStabilization: 0s, scaleDownDelay: 0s}");
    // Busy for 6 ticks (queue 12: 3 replicas), then idle: up once, down once, hold otherwise.
    List<Integer> replicas = replay(backend, 12, 0, t -> t < 6 ? 12 : 0);

    int ups = 0;
    int downs = 0;
    int previous = backend.minReplicas();
    for (int r : replicas) {
      ups += r > previous ? 1 : 0;
      downs += r < previous ? 1 : 0;
      previous = r;
    }
    assertThat(ups).as("replicas " + replicas).isPositive();
    assertThat(downs).as("replicas " + replicas).isPositive();
    assertThat(decisions("up")).isEqualTo(ups);
    assertThat(decisions("down")).isEqualTo(downs);
    assertThat(decisions("hold")).isEqualTo(12 - ups - downs);
  }

  @Test
  void spikeSkipsTheWindowAndLoadingPodsPreventOvershoot() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 1, maxReplicas: 6, metric: queue, target: 5, scaleUpStabilization: 2m, scaleDownDelay: 5m}");
    // A burst of 40 queued requests at tick 2 that keeps growing while new pods load (8 ticks = 2
    // min).
    List<Integer> replicas = replay(backend, 12, 8, t -> t < 2 ? 1 : 40 + 4 * (t - 2));

    assertThat(replicas.get(1)).isEqualTo(1);
    assertThat(replicas.get(2)).as("spike: scaled at once despite a 2m window").isEqualTo(6);
    assertThat(replicas).allSatisfy(r -> assertThat(r).isLessThanOrEqualTo(6));
  }

  @Test
  void growingQueueWhileModelsLoadDoesNotAddMorePods() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 1, maxReplicas: 6, metric: queue, target: 10, scaleUpStabilization: 15s, scaleDownDelay: 5m}");
    // Load rises to just over 2 replicas' worth, then keeps creeping up while the new pod loads.
    List<Integer> replicas = replay(backend, 10, 6, t -> t < 1 ? 5 : 14 + t);

    int firstUp = replicas.indexOf(2);
    assertThat(firstUp).isPositive();
    // While the second pod loads (6 ticks), the creeping queue (below a spike) adds nothing.
    assertThat(replicas.subList(firstUp, Math.min(replicas.size(), firstUp + 5))).containsOnly(2);
  }

  @Test
  void idleScalesDownOnlyAfterTheDelayAndNeverBelowMin() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 2, maxReplicas: 5, metric: queue, target: 5, scaleUpStabilization: 0s, scaleDownDelay: 2m}");
    // Busy for 4 ticks (spike to 5), then idle.
    List<Integer> replicas = replay(backend, 24, 0, t -> t < 4 ? 25 : 0);

    assertThat(replicas.get(0)).isEqualTo(5);
    int firstDown = -1;
    for (int i = 4; i < replicas.size(); i++) {
      if (replicas.get(i) < 5) {
        firstDown = i;
        break;
      }
    }
    // Idle from tick 4; a 2m delay is 8 ticks of lower recommendations.
    assertThat(firstDown).as("scale-down tick").isBetween(11, 13);
    assertThat(replicas.getLast()).isEqualTo(2);
    assertThat(replicas).allSatisfy(r -> assertThat(r).isBetween(2, 5));
  }

  @Test
  void noisyLoadAroundTheTargetDoesNotFlap() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 1, maxReplicas: 6, metric: queue, target: 5, scaleUpStabilization: 30s, scaleDownDelay: 3m}");
    // About 14 queued requests (3 replicas' worth) with deterministic noise of +-5.
    int[] noise = {
      5, -4, 3, -5, 1, 4, -3, -1, 5, -5, 2, -2, 4, -4, 0, 3, -3, 5, -5, 1, -1, 2, -2, 4, -4, 3, -3,
      5, -5, 0
    };
    List<Integer> replicas = replay(backend, 60, 1, t -> 14 + noise[t % noise.length]);

    List<Integer> settled = replicas.subList(10, replicas.size());
    assertThat(directionChanges(replicas))
        .as("direction changes in " + replicas)
        .isLessThanOrEqualTo(1);
    assertThat(settled).allSatisfy(r -> assertThat(r).isBetween(2, 4));
  }

  @Test
  void aPodThatDoesNotAnswerIsNotTakenAsIdle() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 1, maxReplicas: 4, metric: queue, target: 5, scaleUpStabilization: 0s, scaleDownDelay: 0s}");
    startPods();
    pods.get(0).load(1, 1, 0.1);
    pods.get(1).load(1, 1, 0.1);
    pods.get(2).failing(503);
    List<Pod> three = List.of(k8sPod(0, true), k8sPod(1, true), k8sPod(2, true));

    ScalingDecision decision = autoscaler.evaluate(backend, 3, three);
    assertThat(decision.replicas()).as("no scale-down while a pod is unaccounted for").isEqualTo(3);
    assertThat(decision.reason()).contains("do not answer");

    pods.get(0).failing(503);
    pods.get(1).failing(503);
    clock.now = clock.now.plusSeconds(15);
    ScalingDecision blind = autoscaler.evaluate(backend, 3, three);
    assertThat(blind.replicas()).isEqualTo(3);
    assertThat(blind.reason()).contains("no load metrics");
  }

  @Test
  void kvCacheFollowsTheNewMetricAndFallsBackToTheOldName() throws IOException {
    VllmBackend backend =
        backend(
            "{minReplicas: 1, maxReplicas: 8, metric: kvCache, target: 0.5, scaleUpStabilization: 0s, scaleDownDelay: 0s}");
    startPods();
    pods.get(0).load(0, 0, 0.9);
    pods.get(1).load(0, 0, 0.9).legacyKvCacheName();
    ScalingDecision decision =
        autoscaler.evaluate(backend, 2, List.of(k8sPod(0, true), k8sPod(1, true)));
    // 0.9 + 0.9 = 1.8 of cache over a 0.5 target per replica: 4 replicas.
    assertThat(decision.replicas()).isEqualTo(4);
  }
}
