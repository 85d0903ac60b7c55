package io.aihandler.controllers.owned;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels every object the operator builds carries, in one place: {@code
 * app.kubernetes.io/managed-by} says it is ours (the operator's informers select on it, so their
 * caches hold our objects only) and {@code app.kubernetes.io/component} says which of ours.
 */
public final class ManagedLabels {

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String COMPONENT = "app.kubernetes.io/component";

  /** Value of {@link #MANAGED_BY} on everything the operator builds. */
  public static final String OPERATOR = "aihandler-operator";

  /** Components of the objects built for a Workflow. */
  public static final String ROUTER_CONFIG = "router-config";

  public static final String WORKFLOW_CREDENTIALS = "workflow-credentials";
  public static final String WORKFLOW_EGRESS = "workflow-egress";

  private ManagedLabels() {}

  /** Selects everything the operator built. */
  public static String managedSelector() {
    return MANAGED_BY + "=" + OPERATOR;
  }

  /** The labels of one component. */
  public static Map<String, String> of(String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(COMPONENT, component);
    return labels;
  }

  /** Selects the operator's objects of one component. */
  public static String selector(String component) {
    return managedSelector() + "," + COMPONENT + "=" + component;
  }
}
