package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.owned.ControllerReference;
import io.aihandler.controllers.owned.ManagedLabels;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.vllm.VllmBackend;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The NetworkPolicy of a Workflow with {@code spec.egress: restricted}: its pods (label {@code
 * aihandler.io/workflow: <name>}, the app and the sidecar alike) may open connections only to the
 * cluster DNS, to the vLLM pods of the in-cluster backends its routes name, on vLLM's port, and (to
 * wake such a backend scaled to zero) to the operator's namespace on its HTTPS port. Nothing else,
 * so no process in the pod can reach a hosted API or anything outside the cluster. Ingress is not
 * touched. Pure.
 *
 * <p>DNS is the pods labelled {@value #DNS_LABEL}={@value #DNS_LABEL_VALUE} in any namespace (the
 * label CoreDNS carries on kubeadm, GKE, EKS and AKS), UDP and TCP 53.
 */
public final class WorkflowEgressPolicyBuilder {

  /** The label of the cluster DNS pods. */
  public static final String DNS_LABEL = "k8s-app";

  public static final String DNS_LABEL_VALUE = "kube-dns";

  /** The label every namespace carries with its own name (Kubernetes 1.21+). */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private WorkflowEgressPolicyBuilder() {}

  /**
   * @param inClusterBackends the vLLM backends the Workflow's routes name; duplicates and order do
   *     not matter
   */
  public static NetworkPolicy build(Workflow workflow, Collection<ModelBackend> inClusterBackends) {
    return build(workflow, inClusterBackends, OperatorActivation.NONE);
  }

  /**
   * @param operator when it serves activations and a route has a vLLM backend, the sidecar may also
   *     reach the operator's pods on their HTTPS port, to wake a backend scaled to zero
   */
  public static NetworkPolicy build(
      Workflow workflow, Collection<ModelBackend> inClusterBackends, OperatorActivation operator) {
    List<NetworkPolicyEgressRule> rules = new ArrayList<>();
    rules.add(dnsRule());
    if (operator.enabled() && !inClusterBackends.isEmpty()) {
      rules.add(operatorRule(operator));
    }
    inClusterBackends.stream()
        .map(BackendKey::of)
        .distinct()
        .sorted(Comparator.comparing(BackendKey::namespace).thenComparing(BackendKey::name))
        .map(WorkflowEgressPolicyBuilder::backendRule)
        .forEach(rules::add);
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withName(WorkflowObjectNames.egressPolicy(workflow))
        .withNamespace(workflow.getMetadata().getNamespace())
        .withLabels(ManagedLabels.of(ManagedLabels.WORKFLOW_EGRESS))
        .addToLabels(Workflow.WORKFLOW_LABEL, workflow.getMetadata().getName())
        .withOwnerReferences(ControllerReference.to(workflow))
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(Map.of(Workflow.WORKFLOW_LABEL, workflow.getMetadata().getName()))
        .endPodSelector()
        .withPolicyTypes("Egress")
        .withEgress(rules)
        .endSpec()
        .build();
  }

  private static NetworkPolicyEgressRule dnsRule() {
    return new NetworkPolicyEgressRuleBuilder()
        .withTo(
            new NetworkPolicyPeerBuilder()
                .withNewNamespaceSelector()
                .endNamespaceSelector()
                .withNewPodSelector()
                .withMatchLabels(Map.of(DNS_LABEL, DNS_LABEL_VALUE))
                .endPodSelector()
                .build())
        .withPorts(
            new NetworkPolicyPortBuilder()
                .withProtocol("UDP")
                .withPort(new IntOrString(53))
                .build(),
            new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(53))
                .build())
        .build();
  }

  private static NetworkPolicyEgressRule operatorRule(OperatorActivation operator) {
    return new NetworkPolicyEgressRuleBuilder()
        .withTo(
            new NetworkPolicyPeerBuilder()
                .withNewNamespaceSelector()
                .withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, operator.namespace()))
                .endNamespaceSelector()
                .build())
        .withPorts(
            new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(operator.port()))
                .build())
        .build();
  }

  private static NetworkPolicyEgressRule backendRule(BackendKey backend) {
    return new NetworkPolicyEgressRuleBuilder()
        .withTo(
            new NetworkPolicyPeerBuilder()
                .withNewNamespaceSelector()
                .withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, backend.namespace()))
                .endNamespaceSelector()
                .withNewPodSelector()
                .withMatchLabels(Map.of(VllmBackend.BACKEND_LABEL, backend.name()))
                .endPodSelector()
                .build())
        .withPorts(
            new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(VllmBackend.PORT))
                .build())
        .build();
  }
}
