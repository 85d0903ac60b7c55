package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.Egress;
import io.aihandler.api.v1alpha1.EvaluationCandidate;
import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Task;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ShareWithAdmission;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.BackendLocality;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The ModelBackends a Workflow's tasks are evaluated on ({@code spec.tasks[].evaluate}), resolved
 * like route targets: each must exist, admit the namespace ({@code shareWith}), chat, and be
 * allowed for the task's data class even though no route reaches it, since a shadow call sends the
 * task's requests to it. A candidate that fails any of these is left out of the router document and
 * named in {@code ResolvedRefs}. Pure.
 */
public final class EvaluationCandidates {

  private EvaluationCandidates() {}

  /** A candidate of a task, with its backend. */
  public record Candidate(String task, EvaluationCandidate spec, ModelBackend backend) {}

  /**
   * The usable candidates and what kept the others out.
   *
   * @param usable candidates to render, in the order the tasks name them
   * @param problems one line per candidate left out
   */
  public record Resolution(List<Candidate> usable, List<String> problems) {

    /** The usable candidates' backends, each once. */
    public List<ModelBackend> backends() {
      Map<BackendKey, ModelBackend> unique = new LinkedHashMap<>();
      usable.forEach(c -> unique.putIfAbsent(BackendKey.of(c.backend()), c.backend()));
      return List.copyOf(unique.values());
    }
  }

  /**
   * @param backends the ModelBackend of a key, if it exists
   * @param namespaceLabels the labels of a namespace (empty when unknown)
   */
  public static Resolution resolve(
      Workflow workflow,
      RoutingPolicy policy,
      Function<BackendKey, Optional<ModelBackend>> backends,
      Function<String, Map<String, String>> namespaceLabels) {
    String namespace = workflow.getMetadata().getNamespace();
    boolean restricted = workflow.getSpec().egress() == Egress.RESTRICTED;
    List<Candidate> usable = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Task task : workflow.getSpec().tasks()) {
      if (task.evaluate() == null || task.evaluate().candidates() == null) {
        continue;
      }
      String className =
          task.dataClass() != null ? task.dataClass() : policy.getSpec().defaultDataClass();
      Optional<DataClass> dataClass =
          Optional.ofNullable(policy.getSpec().dataClasses()).orElse(List.of()).stream()
              .filter(c -> c.name().equals(className))
              .findFirst();
      for (EvaluationCandidate candidate : task.evaluate().candidates()) {
        BackendKey key = BackendKey.of(candidate.backend(), namespace);
        String prefix = "task " + task.name() + ": evaluation candidate ModelBackend " + key;
        Optional<ModelBackend> backend = backends.apply(key);
        if (backend.isEmpty()) {
          problems.add(prefix + " not found");
          continue;
        }
        ModelBackend b = backend.get();
        if (b.getSpec() == null) {
          problems.add(prefix + " has no spec");
          continue;
        }
        if (b.getSpec().hosted() != null) {
          ShareWithAdmission.Verdict verdict =
              ShareWithAdmission.admit(b, namespace, namespaceLabels.apply(namespace));
          if (!verdict.admitted()) {
            problems.add("task " + task.name() + ": " + verdict.message());
            continue;
          }
          if (restricted) {
            problems.add(
                prefix + " is hosted, and spec.egress is restricted, so the pods cannot reach it");
            continue;
          }
        }
        if (b.getSpec().capabilities() != null
            && Boolean.FALSE.equals(b.getSpec().capabilities().chat())) {
          problems.add(prefix + " does not chat (capabilities.chat: false)");
          continue;
        }
        Locality locality = BackendLocality.of(b);
        if (dataClass.isPresent() && !dataClass.get().allowedLocalities().contains(locality)) {
          problems.add(
              prefix
                  + " is "
                  + (locality == Locality.IN_CLUSTER ? "in-cluster" : "external")
                  + ", which data class "
                  + className
                  + " does not allow; its requests are never mirrored there");
          continue;
        }
        usable.add(new Candidate(task.name(), candidate, b));
      }
    }
    return new Resolution(List.copyOf(usable), List.copyOf(problems));
  }
}
