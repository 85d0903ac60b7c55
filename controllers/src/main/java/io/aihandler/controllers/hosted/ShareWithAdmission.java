package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.ShareWith;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a hosted backend's {@code spec.hosted.shareWith} lets a namespace receive its key. A pure
 * function: the backend's own namespace always may; another is admitted when listed in {@code
 * namespaces} or matched by {@code namespaceSelector} (Kubernetes label-selector semantics, an
 * empty selector matching every namespace). Anything unclear refuses.
 */
public final class ShareWithAdmission {

  /** The label the API server puts on every Namespace, naming it. */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  /** Reason of a refusal: the backend shares with no other namespace. */
  public static final String NOT_SHARED = "NotShared";

  /** Reason of a refusal: shareWith exists but does not admit this namespace. */
  public static final String NAMESPACE_NOT_ADMITTED = "NamespaceNotAdmitted";

  private ShareWithAdmission() {}

  /**
   * The verdict for one namespace.
   *
   * @param admitted whether the key may be copied there
   * @param reason why not (a condition reason), or how it was admitted
   * @param message a sentence naming the backend, the namespace and the rule
   */
  public record Verdict(boolean admitted, String reason, String message) {}

  /**
   * Decides whether {@code namespace}, whose labels are {@code namespaceLabels} (empty when
   * unknown), may use {@code backend}'s key.
   */
  public static Verdict admit(
      ModelBackend backend, String namespace, Map<String, String> namespaceLabels) {
    String backendNamespace = backend.getMetadata().getNamespace();
    String backendId = "ModelBackend " + backendNamespace + "/" + backend.getMetadata().getName();
    if (namespace.equals(backendNamespace)) {
      return new Verdict(true, "SameNamespace", backendId + " is in namespace " + namespace);
    }
    HostedSpec hosted = backend.getSpec() == null ? null : backend.getSpec().hosted();
    ShareWith shareWith = hosted == null ? null : hosted.shareWith();
    if (shareWith == null
        || (shareWith.namespaces() == null && shareWith.namespaceSelector() == null)) {
      return new Verdict(
          false,
          NOT_SHARED,
          backendId
              + " does not share its key with namespace "
              + namespace
              + ": it has no spec.hosted.shareWith, so only namespace "
              + backendNamespace
              + " may use it");
    }
    if (shareWith.namespaces() != null && shareWith.namespaces().contains(namespace)) {
      return new Verdict(
          true, "Listed", backendId + " lists namespace " + namespace + " in shareWith.namespaces");
    }
    LabelSelector selector = shareWith.namespaceSelector();
    Map<String, String> labels =
        new HashMap<>(namespaceLabels == null ? Map.of() : namespaceLabels);
    labels.put(NAMESPACE_NAME_LABEL, namespace);
    if (selector != null) {
      SelectorMatch match = matches(selector, labels);
      if (match.matches()) {
        return new Verdict(
            true, "Selected", backendId + " selects namespace " + namespace + " by its labels");
      }
      return new Verdict(
          false,
          NAMESPACE_NOT_ADMITTED,
          backendId
              + " does not share its key with namespace "
              + namespace
              + ": "
              + (shareWith.namespaces() == null ? "" : "not in shareWith.namespaces and ")
              + match.why());
    }
    return new Verdict(
        false,
        NAMESPACE_NOT_ADMITTED,
        backendId
            + " does not share its key with namespace "
            + namespace
            + ": not in shareWith.namespaces "
            + shareWith.namespaces());
  }

  private record SelectorMatch(boolean matches, String why) {}

  /** Kubernetes label-selector semantics; an unknown operator never matches. */
  private static SelectorMatch matches(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> matchLabels =
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    for (Map.Entry<String, String> required : matchLabels.entrySet()) {
      if (!required.getValue().equals(labels.get(required.getKey()))) {
        return new SelectorMatch(
            false,
            "its labels do not match shareWith.namespaceSelector (needs "
                + required.getKey()
                + "="
                + required.getValue()
                + ")");
      }
    }
    List<LabelSelectorRequirement> expressions =
        selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    for (LabelSelectorRequirement expression : expressions) {
      String key = expression.getKey();
      List<String> values = expression.getValues() == null ? List.of() : expression.getValues();
      String operator = expression.getOperator() == null ? "" : expression.getOperator();
      boolean has = labels.containsKey(key);
      boolean ok =
          switch (operator) {
            case "In" -> has && values.contains(labels.get(key));
            case "NotIn" -> !has || !values.contains(labels.get(key));
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            default -> false;
          };
      if (!ok) {
        return new SelectorMatch(
            false,
            "its labels do not match shareWith.namespaceSelector (needs "
                + key
                + " "
                + operator
                + (values.isEmpty() ? "" : " " + values)
                + ")");
      }
    }
    return new SelectorMatch(true, "");
  }
}
