package io.aihandler.controllers.advisor;

import io.aihandler.api.v1alpha1.BackendRef;
import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.EvaluationCandidate;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.PromptHistory;
import io.aihandler.api.v1alpha1.Route;
import io.aihandler.api.v1alpha1.RouteTarget;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.TaskAdvice;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.api.v1alpha1.WorkflowStatus;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.Conditions.Desired;
import io.aihandler.controllers.status.ResourceEvents;
import io.aihandler.controllers.status.StatusPatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The advisor: for each Workflow, every refresh interval and on every spec change, records each
 * task's prompt changes, reads the task metrics the sidecars report from Prometheus, and writes the
 * advice to {@code status.tasks}, {@code status.advice} and the {@code AdviceAvailable} condition,
 * with an Event when a task's verdict changes. It is the one writer of those fields, under its own
 * field manager; it never changes a route or anything else.
 *
 * <p>Without a Prometheus URL the advice is {@code AdviceAvailable=False} with reason {@code
 * NoMetricsSource} and the prompt record is kept; an unreachable or failing Prometheus turns it
 * False with its own reason and keeps the last advice. Nothing here throws into JOSDK's retry.
 */
@ControllerConfiguration(name = WorkflowAdvisor.NAME)
public class WorkflowAdvisor implements Reconciler<Workflow> {

  public static final String NAME = "workflow-advisor";

  public static final String NO_METRICS_SOURCE = "NoMetricsSource";
  public static final String PROMETHEUS_UNREACHABLE = "PrometheusUnreachable";
  public static final String QUERY_FAILED = "QueryFailed";
  public static final String POLICY_NOT_FOUND = "PolicyNotFound";
  public static final String READ_FAILED = "ReadFailed";
  public static final String ADVICE_COMPUTED = "AdviceComputed";

  /** Reason of the Event recorded when a task's verdict changes. */
  public static final String VERDICT_CHANGED = "AdviceChanged";

  private static final Logger LOG = LoggerFactory.getLogger(WorkflowAdvisor.class);

  private final Clock clock;
  private final AdvisorSettings settings;
  private final Optional<PrometheusClient> prometheus;

  public WorkflowAdvisor(Clock clock, AdvisorSettings settings) {
    this.clock = clock;
    this.settings = settings;
    this.prometheus = settings.prometheusClient();
  }

  @Override
  public UpdateControl<Workflow> reconcile(Workflow workflow, Context<Workflow> context) {
    Instant now = clock.instant();
    WorkflowStatus previous = AdvisorStatusFields.adviceOnly(workflow.getStatus());
    Map<String, TaskAdvice> before = byName(previous.getTasks());
    Map<String, PromptHistory> histories = histories(workflow, previous, now);

    if (prometheus.isEmpty()) {
      return write(
          workflow,
          context,
          stored -> {
            Map<String, PromptHistory> recorded = histories(workflow, stored, now);
            return workflow.getSpec().tasks().stream()
                .map(t -> withoutAdvice(t.name(), recorded.get(t.name()), null))
                .toList();
          },
          now,
          new Desired(
              AdvisorStatusFields.ADVICE_AVAILABLE,
              false,
              NO_METRICS_SOURCE,
              "no Prometheus is configured (chart value advisor.prometheusUrl, variable"
                  + " ADVISOR_PROMETHEUS_URL); routing works as before, without advice"),
          false);
    }

    List<TaskAdvice> tasks = new ArrayList<>();
    Desired condition;
    try {
      KubernetesClient client = context.getClient();
      String namespace = workflow.getMetadata().getNamespace();
      RoutingPolicy policy =
          client
              .resources(RoutingPolicy.class)
              .inNamespace(namespace)
              .withName(workflow.getSpec().policyRef().name())
              .get();
      if (policy == null) {
        return failed(
            workflow,
            context,
            now,
            POLICY_NOT_FOUND,
            "RoutingPolicy "
                + namespace
                + "/"
                + workflow.getSpec().policyRef().name()
                + " not found");
      }
      Map<String, DataClass> classes =
          Optional.ofNullable(policy.getSpec().dataClasses()).orElse(List.of()).stream()
              .collect(Collectors.toMap(DataClass::name, Function.identity(), (a, b) -> a));
      Map<String, ModelBackend> backends = new HashMap<>();
      for (Task task : workflow.getSpec().tasks()) {
        List<BackendRef> refs = backendRefs(task, policy);
        Map<String, BackendProfile> profiles = new LinkedHashMap<>();
        Set<String> configured = new LinkedHashSet<>();
        for (BackendRef ref : refs) {
          String backendNamespace =
              ref.namespace() == null ? policy.getMetadata().getNamespace() : ref.namespace();
          ModelBackend backend =
              backends.computeIfAbsent(
                  backendNamespace + "/" + ref.name(),
                  key ->
                      client
                          .resources(ModelBackend.class)
                          .inNamespace(backendNamespace)
                          .withName(ref.name())
                          .get());
          configured.add(ref.name());
          if (backend != null) {
            // The sidecars name a backend by its name, or namespace.name when two share a name.
            profiles.putIfAbsent(ref.name(), BackendProfile.of(ref.name(), backend, settings));
            String qualified = backendNamespace + "." + ref.name();
            profiles.put(qualified, BackendProfile.of(qualified, backend, settings));
          }
        }
        TaskObservations observations =
            TaskObservations.read(
                prometheus.get(),
                new AdvisorQueries(
                    task.name(), namespace, settings.namespaceLabel(), settings.window()));
        TaskEconomics economics =
            TaskEconomics.compute(observations, profiles, configured, settings.window());
        String taskClass =
            task.dataClass() != null ? task.dataClass() : policy.getSpec().defaultDataClass();
        tasks.add(
            TaskAdvisor.advise(
                new TaskAdvisor.Inputs(
                    task.name(),
                    taskClass,
                    classes,
                    SchemaComplexity.of(task.output() == null ? null : task.output().schema()),
                    task.output() != null && task.output().schema() != null,
                    economics,
                    histories.get(task.name()),
                    settings,
                    now)));
      }
      condition =
          new Desired(
              AdvisorStatusFields.ADVICE_AVAILABLE,
              true,
              ADVICE_COMPUTED,
              "advice on "
                  + tasks.size()
                  + " task(s) from Prometheus at "
                  + prometheus.get().describe()
                  + " over the last "
                  + AdviceFormat.duration(settings.window().toSeconds())
                  + ", refreshed every "
                  + AdviceFormat.duration(settings.refreshInterval().toSeconds()));
    } catch (PrometheusQueryException e) {
      String reason = e.unreachable() ? PROMETHEUS_UNREACHABLE : QUERY_FAILED;
      // Once per transition, not on every refresh while Prometheus stays away.
      if (!Conditions.lookup(previous.getConditions(), AdvisorStatusFields.ADVICE_AVAILABLE)
          .map(c -> reason.equals(c.getReason()))
          .orElse(false)) {
        LOG.warn(
            "no advice for Workflow {}/{}: {}",
            workflow.getMetadata().getNamespace(),
            workflow.getMetadata().getName(),
            e.getMessage());
      }
      return failed(
          workflow,
          context,
          now,
          e.unreachable() ? PROMETHEUS_UNREACHABLE : QUERY_FAILED,
          e.getMessage() + "; the last advice is kept");
    } catch (KubernetesClientException e) {
      return failed(
          workflow,
          context,
          now,
          READ_FAILED,
          "could not read the RoutingPolicy or a ModelBackend: HTTP " + e.getCode());
    }
    recordVerdictChanges(workflow, context, before, tasks);
    return write(
        workflow,
        context,
        stored -> {
          Map<String, PromptHistory> recorded = histories(workflow, stored, now);
          return tasks.stream().map(t -> withHistory(t, recorded.get(t.name()))).toList();
        },
        now,
        condition,
        true);
  }

  /** The route's targets and the task's evaluation candidates. */
  static List<BackendRef> backendRefs(Task task, RoutingPolicy policy) {
    List<BackendRef> refs = new ArrayList<>();
    policy.getSpec().routes().stream()
        .filter(r -> r.name().equals(task.route()))
        .findFirst()
        .map(Route::targets)
        .orElse(List.of())
        .stream()
        .map(RouteTarget::backend)
        .forEach(refs::add);
    if (task.evaluate() != null && task.evaluate().candidates() != null) {
      task.evaluate().candidates().stream()
          .map(EvaluationCandidate::backend)
          .filter(ref -> !refs.contains(ref))
          .forEach(refs::add);
    }
    return refs;
  }

  /** The condition says why; the last advice stays, with the prompt records brought up to date. */
  private UpdateControl<Workflow> failed(
      Workflow workflow, Context<Workflow> context, Instant now, String reason, String message) {
    return write(
        workflow,
        context,
        stored -> {
          Map<String, TaskAdvice> before = byName(stored.getTasks());
          Map<String, PromptHistory> recorded = histories(workflow, stored, now);
          return workflow.getSpec().tasks().stream()
              .map(
                  t -> {
                    TaskAdvice old = before.get(t.name());
                    return old == null
                        ? withoutAdvice(t.name(), recorded.get(t.name()), null)
                        : withHistory(old, recorded.get(t.name()));
                  })
              .toList();
        },
        now,
        new Desired(AdvisorStatusFields.ADVICE_AVAILABLE, false, reason, message),
        true);
  }

  /** Each task's prompt record, brought up to date from the stored one. */
  private static Map<String, PromptHistory> histories(
      Workflow workflow, WorkflowStatus stored, Instant now) {
    Map<String, TaskAdvice> before = byName(stored.getTasks());
    Map<String, PromptHistory> histories = new LinkedHashMap<>();
    for (Task task : workflow.getSpec().tasks()) {
      TaskAdvice old = before.get(task.name());
      histories.put(
          task.name(),
          PromptChangeRecord.update(
              old == null ? null : old.promptHistory(), PromptFingerprint.of(task), now));
    }
    return histories;
  }

  /**
   * Writes the advisor's fields when they changed, other than in each task's {@code computedAt}.
   * They are built on the stored advisor fields: after a conflict, on the newer ones, so a prompt
   * change recorded meanwhile is kept.
   */
  private UpdateControl<Workflow> write(
      Workflow workflow,
      Context<Workflow> context,
      Function<WorkflowStatus, List<TaskAdvice>> tasksOn,
      Instant now,
      Desired condition,
      boolean refresh) {
    long generation = Optional.ofNullable(workflow.getMetadata().getGeneration()).orElse(0L);
    StatusPatch.write(
        workflow,
        context,
        AdvisorStatusFields::adviceOnly,
        stored -> {
          List<TaskAdvice> tasks = tasksOn.apply(stored);
          WorkflowStatus status = new WorkflowStatus();
          status.setTasks(tasks);
          status.setAdvice(adviceColumn(tasks));
          status.setConditions(
              Conditions.merge(stored.getConditions(), List.of(condition), generation, now));
          return StatusPatch.same(stored, sameTimesAs(status, stored)) ? stored : status;
        });
    UpdateControl<Workflow> control = UpdateControl.noUpdate();
    return refresh ? control.rescheduleAfter(settings.refreshInterval()) : control;
  }

  /**
   * The status with each task's {@code computedAt} as before: advice that came out the same is not
   * written again just because it was computed again.
   */
  private static WorkflowStatus sameTimesAs(WorkflowStatus status, WorkflowStatus previous) {
    Map<String, TaskAdvice> before = byName(previous.getTasks());
    WorkflowStatus copy = new WorkflowStatus();
    copy.setAdvice(status.getAdvice());
    copy.setConditions(status.getConditions());
    copy.setTasks(
        status.getTasks().stream()
            .map(
                t -> {
                  TaskAdvice old = before.get(t.name());
                  return old == null ? t : withComputedAt(t, old.computedAt());
                })
            .toList());
    return copy;
  }

  private static TaskAdvice withComputedAt(TaskAdvice advice, String computedAt) {
    return new TaskAdvice(
        advice.name(),
        advice.verdict(),
        advice.summary(),
        advice.currentBackend(),
        advice.bestCandidate(),
        advice.answers(),
        advice.backends(),
        advice.tokensPerMonth(),
        advice.requestsPerMonth(),
        advice.costPerMonth(),
        advice.observedFor(),
        advice.promptHistory(),
        advice.problem(),
        computedAt);
  }

  private void recordVerdictChanges(
      Workflow workflow,
      Context<Workflow> context,
      Map<String, TaskAdvice> before,
      List<TaskAdvice> after) {
    ResourceEvents events = new ResourceEvents(context.getClient(), clock);
    for (TaskAdvice now : after) {
      TaskAdvice was = before.get(now.name());
      if (now.verdict() == null || (was != null && Objects.equals(was.verdict(), now.verdict()))) {
        continue;
      }
      String message =
          "task "
              + now.name()
              + ": "
              + (was == null || was.verdict() == null ? "no verdict" : verdict(was))
              + " -> "
              + now.summary()
              + (now.bestCandidate() == null
                  ? ""
                  : "; best candidate " + now.bestCandidate().summary());
      events.normal(
          workflow,
          VERDICT_CHANGED,
          message.length() > 1000 ? message.substring(0, 1000) : message);
    }
  }

  private static String verdict(TaskAdvice advice) {
    return switch (advice.verdict()) {
      case OPEN -> "open";
      case CLOSED -> "closed";
      case MIXED -> "mixed";
    };
  }

  /** The printer column: task=verdict for each task with one, e.g. classify-ticket=closed. */
  static String adviceColumn(List<TaskAdvice> tasks) {
    String column =
        tasks.stream()
            .filter(t -> t.verdict() != null)
            .map(t -> t.name() + "=" + verdict(t))
            .collect(Collectors.joining(" "));
    return column.isEmpty() ? null : column;
  }

  private static TaskAdvice withoutAdvice(String task, PromptHistory history, String problem) {
    return new TaskAdvice(
        task, null, null, null, null, null, null, null, null, null, null, history, problem, null);
  }

  private static TaskAdvice withHistory(TaskAdvice advice, PromptHistory history) {
    return new TaskAdvice(
        advice.name(),
        advice.verdict(),
        advice.summary(),
        advice.currentBackend(),
        advice.bestCandidate(),
        advice.answers(),
        advice.backends(),
        advice.tokensPerMonth(),
        advice.requestsPerMonth(),
        advice.costPerMonth(),
        advice.observedFor(),
        history,
        advice.problem(),
        advice.computedAt());
  }

  private static Map<String, TaskAdvice> byName(List<TaskAdvice> tasks) {
    Map<String, TaskAdvice> result = new LinkedHashMap<>();
    if (tasks != null) {
      tasks.forEach(t -> result.put(t.name(), t));
    }
    return result;
  }
}
