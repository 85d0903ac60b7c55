package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.Workflow;

/**
 * Names of the objects the operator keeps for a Workflow, and where the sidecar finds them. The
 * reconcilers that create them and the webhook that mounts them both use this one definition.
 */
public final class WorkflowObjectNames {

  /** Directory the router ConfigMap is mounted at in the sidecar. */
  public static final String CONFIG_DIRECTORY = "/etc/aihandler/router";

  /** Key of the router document inside the ConfigMap (and file name in the mount). */
  public static final String CONFIG_KEY = "router.yaml";

  /** Directory the credentials Secret is mounted at in the sidecar. */
  public static final String CREDENTIALS_DIRECTORY = "/etc/aihandler/credentials";

  /**
   * Directory of the projected ServiceAccount token (audience {@code aihandler.io/activation}) the
   * sidecar sends with an activation.
   */
  public static final String ACTIVATION_TOKEN_DIRECTORY =
      "/var/run/secrets/aihandler.io/activation";

  /** File name of that token in its directory. */
  public static final String ACTIVATION_TOKEN_KEY = "token";

  private WorkflowObjectNames() {}

  /** Path of the activation token inside the sidecar. */
  public static String activationTokenFile() {
    return ACTIVATION_TOKEN_DIRECTORY + "/" + ACTIVATION_TOKEN_KEY;
  }

  /** The ConfigMap holding the router document of a Workflow. */
  public static String routerConfigMap(Workflow workflow) {
    return workflow.getMetadata().getName() + "-router";
  }

  /** The Secret holding copies of the API keys a Workflow's hosted backends need. */
  public static String credentialsSecret(Workflow workflow) {
    return workflow.getMetadata().getName() + "-credentials";
  }

  /**
   * The NetworkPolicy restricting the egress of a Workflow's pods ({@code spec.egress:
   * restricted}).
   */
  public static String egressPolicy(Workflow workflow) {
    return workflow.getMetadata().getName() + "-egress";
  }

  /** Path of the router document inside the sidecar. */
  public static String configFile() {
    return CONFIG_DIRECTORY + "/" + CONFIG_KEY;
  }
}
