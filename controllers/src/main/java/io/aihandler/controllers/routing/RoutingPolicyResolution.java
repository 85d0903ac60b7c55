package io.aihandler.controllers.routing;

import static io.aihandler.controllers.status.Conditions.ACCEPTED;
import static io.aihandler.controllers.status.Conditions.READY;
import static io.aihandler.controllers.status.Conditions.RESOLVED_REFS;

import io.aihandler.api.v1alpha1.DataClass;
import io.aihandler.api.v1alpha1.Locality;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Route;
import io.aihandler.api.v1alpha1.RouteTarget;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.RoutingStrategy;
import io.aihandler.controllers.hosted.ShareWithAdmission;
import io.aihandler.controllers.status.Conditions.Desired;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a RoutingPolicy's references amount to, computed purely from the policy, the backends that
 * exist and the labels of namespaces: for every route its usable targets, and the conditions {@code
 * Accepted}, {@code ResolvedRefs} and {@code Ready} with messages that name each problem.
 */
public final class RoutingPolicyResolution {

  private RoutingPolicyResolution() {}

  /** A route's targets that exist and this namespace may use. */
  public record ResolvedRoute(Route route, List<ResolvedTarget> targets) {}

  /** A usable target with its backend. */
  public record ResolvedTarget(RouteTarget target, ModelBackend backend) {}

  /**
   * A hosted backend a route names whose {@code shareWith} does not admit the policy's namespace.
   */
  public record Refusal(BackendKey key, ModelBackend backend, String message) {}

  /** The routes, the backends refused to this namespace, and the conditions to report. */
  public record Result(
      List<ResolvedRoute> routes, List<Refusal> refusals, List<Desired> conditions) {

    public Desired condition(String type) {
      return conditions.stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
    }
  }

  /**
   * @param backends the ModelBackend of a key, if it exists
   * @param namespaceLabels the labels of a namespace (empty when unknown)
   */
  public static Result resolve(
      RoutingPolicy policy,
      Function<BackendKey, Optional<ModelBackend>> backends,
      Function<String, Map<String, String>> namespaceLabels) {
    String namespace = policy.getMetadata().getNamespace();
    List<String> refProblems = new ArrayList<>();
    List<String> acceptProblems = new ArrayList<>();
    List<ResolvedRoute> routes = new ArrayList<>();
    Map<String, Map<String, String>> labelsSeen = new LinkedHashMap<>();
    Map<BackendKey, Refusal> refusals = new LinkedHashMap<>();

    for (Route route : policy.getSpec().routes()) {
      List<ResolvedTarget> usable = new ArrayList<>();
      for (RouteTarget target : route.targets()) {
        BackendKey key = BackendKey.of(target.backend(), namespace);
        Optional<ModelBackend> backend = backends.apply(key);
        if (backend.isEmpty()) {
          refProblems.add("route " + route.name() + ": ModelBackend " + key + " not found");
          continue;
        }
        if (backend.get().getSpec() != null && backend.get().getSpec().hosted() != null) {
          ShareWithAdmission.Verdict verdict =
              ShareWithAdmission.admit(
                  backend.get(), namespace, labelsSeen.computeIfAbsent(namespace, namespaceLabels));
          if (!verdict.admitted()) {
            refusals.putIfAbsent(key, new Refusal(key, backend.get(), verdict.message()));
            refProblems.add("route " + route.name() + ": " + verdict.message());
            continue;
          }
        }
        if (route.strategy() == RoutingStrategy.LOWEST_COST && !priced(backend.get())) {
          acceptProblems.add(
              "route "
                  + route.name()
                  + " uses strategy lowest-cost but ModelBackend "
                  + key
                  + " has no per-token pricing");
        }
        usable.add(new ResolvedTarget(target, backend.get()));
      }
      routes.add(new ResolvedRoute(route, usable));
    }

    DataClass defaultClass = defaultDataClass(policy);
    for (ResolvedRoute resolved : routes) {
      if (resolved.targets().isEmpty()) {
        refProblems.add("route " + resolved.route().name() + " has no usable target");
      } else if (defaultClass != null && allowedTargets(resolved, defaultClass).isEmpty()) {
        refProblems.add(
            "route "
                + resolved.route().name()
                + " has no target that data class "
                + defaultClass.name()
                + " (the default) may reach");
      }
    }

    List<Desired> conditions = new ArrayList<>();
    conditions.add(
        acceptProblems.isEmpty()
            ? new Desired(ACCEPTED, true, "Accepted", "The policy is consistent")
            : new Desired(ACCEPTED, false, "Invalid", String.join("; ", acceptProblems)));
    conditions.add(
        refProblems.isEmpty()
            ? new Desired(
                RESOLVED_REFS,
                true,
                "Resolved",
                "Every target names a ModelBackend this namespace may use")
            : new Desired(RESOLVED_REFS, false, "UnresolvedRefs", String.join("; ", refProblems)));

    List<String> notReady = new ArrayList<>();
    for (ResolvedRoute resolved : routes) {
      if (!resolved.targets().isEmpty()
          && resolved.targets().stream().noneMatch(t -> ready(t.backend()))) {
        notReady.add("route " + resolved.route().name() + " has no ready backend");
      }
    }
    if (!acceptProblems.isEmpty()) {
      conditions.add(new Desired(READY, false, "Invalid", String.join("; ", acceptProblems)));
    } else if (!refProblems.isEmpty()) {
      conditions.add(new Desired(READY, false, "UnresolvedRefs", String.join("; ", refProblems)));
    } else if (!notReady.isEmpty()) {
      conditions.add(new Desired(READY, false, "BackendsNotReady", String.join("; ", notReady)));
    } else {
      conditions.add(new Desired(READY, true, "Ready", "Every route has a ready backend"));
    }
    return new Result(routes, List.copyOf(refusals.values()), conditions);
  }

  /** The targets of a route that a data class allows. */
  public static List<ResolvedTarget> allowedTargets(ResolvedRoute route, DataClass dataClass) {
    List<Locality> allowed = dataClass.allowedLocalities();
    return route.targets().stream()
        .filter(target -> allowed.contains(BackendLocality.of(target.backend())))
        .toList();
  }

  private static DataClass defaultDataClass(RoutingPolicy policy) {
    String name = policy.getSpec().defaultDataClass();
    if (name == null || policy.getSpec().dataClasses() == null) {
      return null;
    }
    return policy.getSpec().dataClasses().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static boolean priced(ModelBackend backend) {
    var pricing = backend.getSpec().pricing();
    return pricing != null
        && pricing.inputPerMillionTokens() != null
        && pricing.outputPerMillionTokens() != null;
  }

  /** Whether the backend reports Ready=True for its current generation. */
  public static boolean ready(ModelBackend backend) {
    if (backend.getStatus() == null) {
      return false;
    }
    List<Condition> conditions = backend.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(
                c ->
                    READY.equals(c.getType())
                        && "True".equals(c.getStatus())
                        && Objects.equals(
                            c.getObservedGeneration(), backend.getMetadata().getGeneration()));
  }
}
