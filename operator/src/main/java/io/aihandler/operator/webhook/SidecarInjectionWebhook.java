package io.aihandler.operator.webhook;

import io.aihandler.api.v1alpha1.Workflow;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.javaoperatorsdk.webhook.admission.AdmissionRequestHandler;
import io.javaoperatorsdk.webhook.admission.AdmissionUtils;
import io.javaoperatorsdk.webhook.admission.NotAllowedException;
import io.javaoperatorsdk.webhook.admission.Operation;
import java.util.Map;
import java.util.Optional;

/**
 * Mutating admission of pods labelled {@code aihandler.io/workflow}: injects the router sidecar, or
 * refuses a pod naming a Workflow that does not exist, so no pod silently runs without its policy.
 * The webhook configuration's objectSelector sends only labelled pods here; anything else is
 * allowed unchanged.
 */
public final class SidecarInjectionWebhook implements AdmissionRequestHandler {

  /** Annotation with value {@code "false"} that keeps a labelled pod as it is. */
  public static final String INJECT_ANNOTATION = "aihandler.io/inject";

  private final WorkflowLookup workflows;
  private final PodSidecarInjector injector;

  public SidecarInjectionWebhook(WorkflowLookup workflows, SidecarInjectionSettings settings) {
    this.workflows = workflows;
    this.injector = new PodSidecarInjector(settings);
  }

  @Override
  public AdmissionResponse handle(AdmissionRequest request) {
    Operation operation = Operation.valueOf(request.getOperation());
    if (operation != Operation.CREATE || !"Pod".equals(request.getKind().getKind())) {
      return AdmissionUtils.allowedAdmissionResponse();
    }
    Pod pod = (Pod) AdmissionUtils.getTargetResource(request, operation);
    Map<String, String> labels =
        Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
    String workflowName = labels.get(Workflow.WORKFLOW_LABEL);
    Map<String, String> annotations =
        Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
    if (workflowName == null || "false".equals(annotations.get(INJECT_ANNOTATION))) {
      return AdmissionUtils.allowedAdmissionResponse();
    }
    // Pods made by controllers carry no namespace of their own at admission: the request has it.
    String namespace = request.getNamespace();
    Optional<Workflow> workflow = workflows.find(namespace, workflowName);
    if (workflow.isEmpty()) {
      return AdmissionUtils.notAllowedExceptionToAdmissionResponse(
          new NotAllowedException(
              "pod is labelled "
                  + Workflow.WORKFLOW_LABEL
                  + "="
                  + workflowName
                  + " but namespace "
                  + namespace
                  + " has no Workflow named "
                  + workflowName
                  + ": create the Workflow first, or remove the label to run without the AI"
                  + " Handler router",
              404));
    }
    if (PodSidecarInjector.isInjected(pod)) {
      return AdmissionUtils.allowedAdmissionResponse();
    }
    return AdmissionUtils.admissionResponseFromMutation(pod, injector.inject(pod, workflow.get()));
  }
}
