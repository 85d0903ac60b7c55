package io.aihandler.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.api.v1alpha1.AdviceAnswer;
import io.aihandler.api.v1alpha1.BackendRef;
import io.aihandler.api.v1alpha1.EvaluationCandidate;
import io.aihandler.api.v1alpha1.Route;
import io.aihandler.api.v1alpha1.RouteTarget;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.RoutingPolicySpec;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.TaskAdvice;
import io.aihandler.api.v1alpha1.TaskEvaluation;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.api.v1alpha1.WorkflowSpec;
import io.aihandler.demo.standin.VllmStandIn;
import io.aihandler.testing.prometheus.PrometheusServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A short shadow evaluation of classify-ticket and the advice that results: the task moves to a
 * hosted primary (gemini-flash on a route of its own) and names the self-hosted Llama as its
 * evaluation candidate, whose stand-in now and then answers outside the schema. Requests go through
 * the sidecar; a real Prometheus scrapes it (when one is installed) and the operator's advisor
 * writes the verdict to the Workflow's status, which is printed. The Git state of the examples is
 * put back afterwards.
 */
final class ShadowEvaluationScene {

  /** What the scene established. */
  record Outcome(boolean evaluated, String verdict, String summary, String candidate) {}

  static final String TASK = "classify-ticket";
  static final String HOSTED_ROUTE = "classification-hosted";
  static final String HOSTED_PRIMARY = "gemini-flash";
  private static final int REQUESTS = 24;

  private final KubernetesClient client;
  private final DemoConsole console;
  private final VllmStandIn candidate;
  private final Runnable refreshSidecarConfig;
  private final BiFunction<String, Map<String, String>, JsonNode> task;
  private final String sidecarManagement;
  private final Optional<Integer> prometheusPort;

  /**
   * @param prometheusPort the port the operator's advisor was told Prometheus listens on; empty
   *     when no Prometheus is installed
   */
  ShadowEvaluationScene(
      KubernetesClient client,
      DemoConsole console,
      VllmStandIn candidate,
      Runnable refreshSidecarConfig,
      BiFunction<String, Map<String, String>, JsonNode> task,
      String sidecarManagement,
      Optional<Integer> prometheusPort) {
    this.client = client;
    this.console = console;
    this.candidate = candidate;
    this.refreshSidecarConfig = refreshSidecarConfig;
    this.task = task;
    this.sidecarManagement = sidecarManagement;
    this.prometheusPort = prometheusPort;
  }

  Outcome play() {
    RoutingPolicy policy = policy();
    Workflow workflow = workflow();
    RoutingPolicy originalPolicy = client.getKubernetesSerialization().clone(policy);
    Workflow originalWorkflow = client.getKubernetesSerialization().clone(workflow);
    try {
      console.progress(
          "Git change: "
              + TASK
              + " on a hosted primary ("
              + HOSTED_ROUTE
              + " -> "
              + HOSTED_PRIMARY
              + "), evaluating "
              + EmbeddedDemo.VLLM_BACKEND
              + " in shadow on every request");
      long generation = applyEvaluation(policy, workflow);
      Condition ready = awaitReady(generation);
      if (!"True".equals(ready.getStatus())) {
        console.line(
            "skipped: the operator did not publish the evaluation ("
                + ready.getReason()
                + ": "
                + ready.getMessage()
                + ")");
        return new Outcome(false, null, null, null);
      }
      refreshSidecarConfig.run();
      sleep(Duration.ofSeconds(3));

      Optional<PrometheusServer> prometheus = startPrometheus();
      try {
        console.progress(
            REQUESTS
                + " classify-ticket requests; the candidate's stand-in answers some invalidly");
        for (int i = 0; i < REQUESTS; i++) {
          // Every sixth shadow answer is invalid twice (repaired on the third try), every eighth
          // three times (still invalid after the task's two repairs).
          candidate.answerInvalidlyNext(i % 8 == 7 ? 3 : i % 6 == 5 ? 1 : 0);
          task.apply(
              TASK, Map.of("ticket", "Ticket " + i + ": I was charged twice for my subscription"));
          sleep(Duration.ofMillis(150));
        }
        if (prometheus.isEmpty()) {
          console.line(
              "Prometheus is not installed here, so the advisor has no metrics to read: apt-get"
                  + " install -y prometheus (Debian 12 ships 2.42) and run the demo again");
          Condition available = condition("AdviceAvailable").orElse(null);
          if (available != null) {
            console.detail(
                "AdviceAvailable="
                    + available.getStatus()
                    + " "
                    + available.getReason()
                    + ": "
                    + available.getMessage());
          }
          return new Outcome(true, null, null, null);
        }
        prometheus.get().awaitFreshScrape();
        TaskAdvice advice = awaitAdvice();
        print(advice);
        return new Outcome(
            true,
            advice.verdict().name().toLowerCase(java.util.Locale.ROOT),
            advice.summary(),
            advice.bestCandidate() == null ? null : advice.bestCandidate().summary());
      } finally {
        prometheus.ifPresent(ShadowEvaluationScene::stop);
      }
    } finally {
      restore(originalPolicy, originalWorkflow);
    }
  }

  private void print(TaskAdvice advice) {
    console.ok(TASK + ": " + advice.summary());
    for (AdviceAnswer answer : advice.answers()) {
      console.detail(
          EmbeddedDemo.pad(answer.question(), 18)
              + EmbeddedDemo.pad(answer.leans().name().toLowerCase(java.util.Locale.ROOT), 9)
              + answer.answer());
    }
    if (advice.bestCandidate() != null) {
      console.line("best candidate: " + advice.bestCandidate().summary());
    }
    console.line(
        "observed "
            + advice.observedFor()
            + "; kubectl get aiwf shows ADVICE "
            + workflow().getStatus().getAdvice());
    console.line(
        "switching stays a one-line change in Git: the candidate as the route's first target"
            + " (docs/evaluating-and-switching.md)");
  }

  private long applyEvaluation(RoutingPolicy policy, Workflow workflow) {
    List<Route> routes = new ArrayList<>(policy.getSpec().routes());
    routes.add(
        new Route(
            HOSTED_ROUTE,
            List.of(new RouteTarget(new BackendRef(HOSTED_PRIMARY, EmbeddedDemo.PLATFORM), 1, 0)),
            null,
            null,
            2,
            null,
            "20s",
            "45s",
            null,
            null,
            null));
    policy.setSpec(
        new RoutingPolicySpec(
            routes,
            policy.getSpec().dataClasses(),
            policy.getSpec().defaultDataClass(),
            policy.getSpec().unscannableDataClass()));
    update(policy);
    List<Task> tasks = new ArrayList<>();
    for (Task t : workflow.getSpec().tasks()) {
      tasks.add(
          t.name().equals(TASK)
              ? new Task(
                  t.name(),
                  HOSTED_ROUTE,
                  t.dataClass(),
                  t.prompt(),
                  t.variables(),
                  t.output(),
                  t.parameters(),
                  t.timeout(),
                  new TaskEvaluation(
                      List.of(
                          new EvaluationCandidate(
                              new BackendRef(EmbeddedDemo.VLLM_BACKEND, EmbeddedDemo.PLATFORM),
                              1.0)),
                      1.0))
              : t);
    }
    workflow.setSpec(
        new WorkflowSpec(
            workflow.getSpec().policyRef(),
            tasks,
            workflow.getSpec().sidecar(),
            workflow.getSpec().egress()));
    return update(workflow).getMetadata().getGeneration();
  }

  private void restore(RoutingPolicy policy, Workflow workflow) {
    Workflow current = workflow();
    current.setSpec(workflow.getSpec());
    long generation = update(current).getMetadata().getGeneration();
    RoutingPolicy currentPolicy = policy();
    currentPolicy.setSpec(policy.getSpec());
    update(currentPolicy);
    awaitReady(generation);
    refreshSidecarConfig.run();
    console.detail("the examples' Git state is back: " + TASK + " on route classification");
  }

  /**
   * Writes the resource's spec. The operator's controllers write the object's status between this
   * scene's read and its write, so a conflict is answered by taking the stored resourceVersion and
   * writing again: the scene means its spec to win, as a Git sync does. A write that keeps
   * conflicting fails after a bounded number of tries.
   */
  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T update(T resource) {
    resource.getMetadata().setManagedFields(null);
    for (int attempt = 1; ; attempt++) {
      try {
        return client.resource(resource).update();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 20) {
          throw e;
        }
        T stored = client.resource(resource).get();
        resource.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());
      }
    }
  }

  private Optional<PrometheusServer> startPrometheus() {
    if (prometheusPort.isEmpty()) {
      return Optional.empty();
    }
    try {
      String target = sidecarManagement.replaceFirst("^http://", "");
      PrometheusServer server =
          PrometheusServer.startOn(prometheusPort.get(), "/metrics", List.of(target), List.of());
      server.awaitUp(Duration.ofSeconds(30));
      console.ok("Prometheus " + server.url() + " scrapes the sidecar's " + target + "/metrics");
      return Optional.of(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Prometheus", e);
    }
  }

  private TaskAdvice awaitAdvice() {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      Optional<TaskAdvice> advice = advice();
      if (advice.isPresent() && advice.get().verdict() != null) {
        return advice.get();
      }
      sleep(Duration.ofMillis(500));
    }
    throw new DemoFailure(
        "the advisor wrote no verdict for "
            + TASK
            + " within 60 s: "
            + condition("AdviceAvailable").map(Condition::getMessage).orElse("no AdviceAvailable"));
  }

  private Optional<TaskAdvice> advice() {
    Workflow workflow = workflow();
    if (workflow.getStatus() == null || workflow.getStatus().getTasks() == null) {
      return Optional.empty();
    }
    return workflow.getStatus().getTasks().stream().filter(t -> t.name().equals(TASK)).findFirst();
  }

  private Condition awaitReady(long generation) {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      Optional<Condition> ready = condition("Ready");
      if (ready.isPresent()
          && ready.get().getObservedGeneration() != null
          && ready.get().getObservedGeneration() >= generation) {
        return ready.get();
      }
      sleep(Duration.ofMillis(200));
    }
    throw new DemoFailure("the Workflow did not reconcile generation " + generation + " in 30 s");
  }

  private Optional<Condition> condition(String type) {
    Workflow workflow = workflow();
    return workflow.getStatus() == null
        ? Optional.empty()
        : workflow.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals(type))
            .findFirst();
  }

  private Workflow workflow() {
    return client
        .resources(Workflow.class)
        .inNamespace(EmbeddedDemo.APP_NAMESPACE)
        .withName(EmbeddedDemo.WORKFLOW)
        .get();
  }

  private RoutingPolicy policy() {
    return client
        .resources(RoutingPolicy.class)
        .inNamespace(EmbeddedDemo.APP_NAMESPACE)
        .withName(workflow().getSpec().policyRef().name())
        .get();
  }

  private static void stop(PrometheusServer server) {
    try {
      server.close();
    } catch (IOException e) {
      // The scene is over; a leftover temp directory is no failure of it.
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted", e);
    }
  }
}
