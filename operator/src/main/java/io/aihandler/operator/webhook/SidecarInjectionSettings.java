package io.aihandler.operator.webhook;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;

/**
 * Operator-wide settings of the injected sidecar.
 *
 * @param image the router sidecar image, pinned by the operator release
 * @param nativeSidecar inject as a native sidecar (an init container with {@code restartPolicy:
 *     Always}, Kubernetes 1.29+) so it is ready before the app starts and does not keep Jobs alive;
 *     false injects a plain container, for older clusters
 * @param defaultResources used when the Workflow sets none
 * @param imagePullSecrets pull Secrets added to every injected pod, next to the app's own: the
 *     kubelet pulls every container of a pod, the sidecar included, with the pod's pull Secrets
 */
public record SidecarInjectionSettings(
    String image,
    boolean nativeSidecar,
    ResourceRequirements defaultResources,
    List<String> imagePullSecrets) {

  public SidecarInjectionSettings {
    imagePullSecrets = List.copyOf(imagePullSecrets);
  }

  public SidecarInjectionSettings(
      String image, boolean nativeSidecar, ResourceRequirements defaultResources) {
    this(image, nativeSidecar, defaultResources, List.of());
  }

  /** The image this operator release was built with. */
  public static final String DEFAULT_IMAGE = "ghcr.io/aihandler/router-sidecar:0.1.0";

  /** Small by design: the sidecar is a proxy, not a model. */
  public static ResourceRequirements standardResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("50m"))
        .addToRequests("memory", new Quantity("128Mi"))
        .addToLimits("memory", new Quantity("256Mi"))
        .build();
  }

  public static SidecarInjectionSettings defaults() {
    return new SidecarInjectionSettings(DEFAULT_IMAGE, true, standardResources());
  }
}
