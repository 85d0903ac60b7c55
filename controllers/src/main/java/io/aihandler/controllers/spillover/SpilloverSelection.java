package io.aihandler.controllers.spillover;

import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyReconciler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which of the sidecars' spill-over series are one vLLM backend's. A sidecar labels a spill-over
 * with the name its router config gives the cold backend ({@code from}): the ModelBackend's name,
 * or {@code namespace.name} when two backends of one config share the name; the scrape adds the
 * sidecar pod's namespace ({@code namespaceLabel}), which is its Workflow's and so its
 * RoutingPolicy's. Hence:
 *
 * <ul>
 *   <li>the qualified name is this backend's, except in a namespace that routes to a backend whose
 *       own name is that string (ModelBackend names may hold dots): there it may be that one's;
 *   <li>the bare name is this backend's in a namespace whose RoutingPolicies route to it and to no
 *       other backend of that name;
 *   <li>where a name may be this backend's or another's, those series are left out and listed,
 *       never counted for the wrong backend. Without a namespace label the rules apply to the whole
 *       cluster at once.
 * </ul>
 *
 * Pure.
 *
 * @param qualified {@code namespace.name}
 * @param name the bare name
 * @param namespaceLabel the label naming the sidecar's namespace; empty: series carry none
 * @param qualifiedCounted whether the qualified name is counted at all (only not without a
 *     namespace label, when some namespace routes to a backend named like it)
 * @param qualifiedElsewhere where the qualified name may be another backend's bare name (sorted):
 *     not counted there
 * @param namespaces where the bare name is this backend's (sorted)
 * @param everywhere without a namespace label: whether the bare name is this backend's everywhere
 * @param ambiguous where the bare name may be this backend's or another's (sorted)
 */
public record SpilloverSelection(
    String qualified,
    String name,
    String namespaceLabel,
    boolean qualifiedCounted,
    List<String> qualifiedElsewhere,
    List<String> namespaces,
    boolean everywhere,
    List<String> ambiguous) {

  /** A Kubernetes namespace name: a DNS label, which carries no PromQL or regex syntax. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * @param policies the RoutingPolicies that route to a backend named like this one or like its
   *     qualified name (any others are ignored)
   */
  public static SpilloverSelection of(
      BackendKey backend, Collection<RoutingPolicy> policies, String namespaceLabel) {
    String qualified = backend.namespace() + "." + backend.name();
    // Per namespace with a policy routing to a backend of this name: which backends those are.
    Map<String, Set<String>> routedFrom = new TreeMap<>();
    Set<String> lookalikes = new TreeSet<>();
    for (RoutingPolicy policy : policies) {
      String namespace = policy.getMetadata().getNamespace();
      if (!NAMESPACE.matcher(namespace).matches()) {
        continue;
      }
      for (BackendKey target : RoutingPolicyReconciler.referencedBackends(policy)) {
        if (target.name().equals(backend.name())) {
          routedFrom.computeIfAbsent(namespace, n -> new TreeSet<>()).add(target.namespace());
        } else if (target.name().equals(qualified)) {
          lookalikes.add(namespace);
        }
      }
    }
    List<String> alone = new ArrayList<>();
    List<String> shared = new ArrayList<>();
    routedFrom.forEach(
        (namespace, targets) -> {
          if (targets.contains(backend.namespace())) {
            (targets.size() == 1 ? alone : shared).add(namespace);
          }
        });
    if (namespaceLabel.isEmpty()) {
      boolean everywhere =
          !alone.isEmpty()
              && routedFrom.values().stream().allMatch(t -> t.equals(Set.of(backend.namespace())));
      Set<String> ambiguous = new TreeSet<>(alone);
      ambiguous.addAll(shared);
      return new SpilloverSelection(
          qualified,
          backend.name(),
          namespaceLabel,
          lookalikes.isEmpty(),
          List.copyOf(lookalikes),
          List.of(),
          everywhere,
          everywhere ? List.of() : List.copyOf(ambiguous));
    }
    return new SpilloverSelection(
        qualified,
        backend.name(),
        namespaceLabel,
        true,
        List.copyOf(lookalikes),
        List.copyOf(alone),
        false,
        List.copyOf(shared));
  }

  /** What is counted and what is not, for the condition's message. */
  public String describe() {
    List<String> counted = new ArrayList<>();
    if (qualifiedCounted) {
      counted.add(
          "from=\""
              + qualified
              + "\" in "
              + (qualifiedElsewhere.isEmpty()
                  ? "any namespace"
                  : "any namespace but " + String.join(", ", qualifiedElsewhere)));
    }
    if (everywhere) {
      counted.add("from=\"" + name + "\" in any namespace");
    } else if (!namespaces.isEmpty()) {
      counted.add("from=\"" + name + "\" in " + namespaces(namespaces));
    }
    List<String> left = new ArrayList<>();
    if (!qualifiedElsewhere.isEmpty()) {
      left.add(
          "from=\""
              + qualified
              + "\" in "
              + namespaces(qualifiedElsewhere)
              + ", which route to a backend of that name");
    }
    if (!ambiguous.isEmpty()) {
      left.add(
          "from=\""
              + name
              + "\" in "
              + namespaces(ambiguous)
              + ", which route to more than one backend of that name");
    }
    String text = counted.isEmpty() ? "no series" : String.join(" and ", counted);
    return left.isEmpty()
        ? text
        : text
            + "; not counted, since they may be another backend's: "
            + String.join("; ", left)
            + (namespaceLabel.isEmpty() ? " (the series carry no namespace label)" : "");
  }

  private static String namespaces(List<String> names) {
    return (names.size() == 1 ? "namespace " : "namespaces ") + String.join(", ", names);
  }
}
