package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.BackendRef;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.Route;
import io.aihandler.api.v1alpha1.RouteTarget;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.api.v1alpha1.WorkflowStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each Workflow's credentials Secret equal to the keys of the hosted backends its
 * RoutingPolicy's routes use and whose {@code shareWith} admits the Workflow's namespace, and
 * reports it in the Workflow's {@code CredentialsProvisioned} condition (the only part of the
 * Workflow's status it writes).
 *
 * <p>It watches, besides Workflows: RoutingPolicies, ModelBackends, Namespaces (for shareWith
 * selectors), source Secrets (label {@value SourceSecrets#LABEL} only) and its own copies (by
 * label). Each change is mapped back to the Workflows it affects, so a rotated key reaches every
 * copy in the reconcile that follows.
 */
public class WorkflowCredentials {

  /** Field manager of the credential copies. */
  public static final String NAME = "workflow-credentials";

  /** Reason when every key the routes need is in place. */
  public static final String PROVISIONED = "Provisioned";

  /** Reason when the routes use no hosted backend that needs a key. */
  public static final String NO_HOSTED_BACKENDS = "NoHostedBackends";

  /** Reason when a needed key cannot be read from its source Secret. */
  public static final String CREDENTIALS_UNRESOLVED = "CredentialsUnresolved";

  /** Reason when the RoutingPolicy does not exist. */
  public static final String POLICY_NOT_FOUND = "PolicyNotFound";

  /** Reason when a Secret of the copy's name exists and is not the operator's. */
  public static final String SECRET_NAME_TAKEN = "SecretNameTaken";

  private static final Logger LOG = LoggerFactory.getLogger(WorkflowCredentials.class);

  private InformerEventSource<RoutingPolicy, Workflow> policies;
  private InformerEventSource<ModelBackend, Workflow> backends;
  private InformerEventSource<Namespace, Workflow> namespaces;
  private InformerEventSource<Secret, Workflow> sources;
  private InformerEventSource<Secret, Workflow> copies;


  /** The informers credential provisioning needs; the Workflow reconciler registers them. */
  public List<EventSource<?, Workflow>> prepareEventSources(EventSourceContext<Workflow> context) {
    policies =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(RoutingPolicy.class, Workflow.class)
                .withName("credential-policies")
                .withSecondaryToPrimaryMapper(policy -> workflowsOf(context, Set.of(ResourceID.fromResource(policy))))
                .build(),
            context);
    backends =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ModelBackend.class, Workflow.class)
                .withName("credential-backends")
                .withSecondaryToPrimaryMapper(backend -> workflowsUsing(context, Set.of(ResourceID.fromResource(backend))))
                .build(),
            context);
    namespaces =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Namespace.class, Workflow.class)
                .withName("credential-namespaces")
                .withSecondaryToPrimaryMapper(
                    namespace ->
                        context
                            .getPrimaryCache()
                            .list(namespace.getMetadata().getName(), workflow -> true)
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    sources =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, Workflow.class)
                .withName("credential-sources")
                .withLabelSelector(SourceSecrets.labelSelector())
                .withSecondaryToPrimaryMapper(
                    secret -> workflowsUsing(context, SourceSecrets.readers(backends.list(b -> true).toList(), secret)))
                .build(),
            context);
    copies =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, Workflow.class)
                .withName("credential-copies")
                .withLabelSelector(CredentialSecretBuilder.labelSelector())
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Workflow.class))
                .build(),
            context);
    return List.of(policies, backends, namespaces, sources, copies);
  }

  /** What provisioning found, as the {@code CredentialsProvisioned} condition should say it. */
  public record Outcome(String status, String reason, String message, Set<ResourceID> keyed) {

    Outcome(String status, String reason, String message) {
      this(status, reason, message, Set.of());
    }

    public boolean provisioned() {
      return "True".equals(status);
    }
  }

  /** The RoutingPolicy a Workflow names, from the cache. */
  public Optional<RoutingPolicy> policyOf(Workflow workflow) {
    if (workflow.getSpec() == null || workflow.getSpec().policyRef() == null) {
      return Optional.empty();
    }
    return policies.get(new ResourceID(workflow.getSpec().policyRef().name(), workflow.getMetadata().getNamespace()));
  }

  /** A ModelBackend from the cache. */
  public Optional<ModelBackend> backend(String namespace, String name) {
    return backends.get(new ResourceID(name, namespace));
  }

  /** The labels of a namespace, from the cache (empty when unknown). */
  public Map<String, String> namespaceLabels(String namespace) {
    return namespaces
        .get(new ResourceID(namespace))
        .map(n -> n.getMetadata().getLabels())
        .filter(Objects::nonNull)
        .orElse(Map.of());
  }

  /**
   * Keeps the Workflow's credentials Secret equal to the keys its policy's hosted backends need
   * and may share, and says how that went. Writes the copy; never the Workflow.
   */
  public Outcome provision(Workflow workflow, Context<Workflow> context) {
    String namespace = workflow.getMetadata().getNamespace();
    String secretName = CredentialSecretBuilder.secretName(workflow);
    Optional<Secret> existing = copies.get(new ResourceID(secretName, namespace));
    Optional<RoutingPolicy> policy =
        workflow.getSpec() == null || workflow.getSpec().policyRef() == null
            ? Optional.empty()
            : policies.get(new ResourceID(workflow.getSpec().policyRef().name(), namespace));
    if (policy.isEmpty()) {
      // Without the policy the needed keys are unknown; the copy is left as it is, not emptied.
      return new Outcome("Unknown",
          POLICY_NOT_FOUND,
          "RoutingPolicy "
              + namespace
              + "/"
              + (workflow.getSpec() == null || workflow.getSpec().policyRef() == null ? "" : workflow.getSpec().policyRef().name())
              + " not found; credentials are left as they are until it exists");
    }

    List<CredentialSecretBuilder.Entry> entries = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    List<String> unresolved = new ArrayList<>();
    Map<String, String> namespaceLabels =
        namespaces
            .get(new ResourceID(namespace))
            .map(n -> n.getMetadata().getLabels())
            .orElse(Map.of());
    for (ResourceID backendId : backendsOf(policy.get())) {
      Optional<ModelBackend> backend = backends.get(backendId);
      if (backend.isEmpty()
          || backend.get().getSpec() == null
          || backend.get().getSpec().hosted() == null
          || backend.get().getSpec().hosted().credentials() == null) {
        continue; // missing backends are ResolvedRefs' business; vLLM and keyless ones need no copy
      }
      ShareWithAdmission.Verdict verdict =
          ShareWithAdmission.admit(backend.get(), namespace, namespaceLabels);
      if (!verdict.admitted()) {
        refusals.add(verdict.message());
        continue;
      }
      CredentialResolution resolution =
          CredentialResolver.resolve(
              backendId.getNamespace().orElseThrow(),
              backend.get().getSpec().hosted(),
              SourceSecrets.lookup(sources, backend.get()));
      String backendNamespace = backendId.getNamespace().orElseThrow();
      switch (resolution) {
        case CredentialResolution.Resolved resolved ->
            entries.add(new CredentialSecretBuilder.Entry(backendNamespace, backendId.getName(), resolved.key()));
        case CredentialResolution.Unresolved failure -> {
          // Keep the key last copied: a typo in a source must not cut off running sidecars.
          Optional<byte[]> last =
              existing.flatMap(
                  copy ->
                      CredentialResolver.value(
                          copy, CredentialSecretBuilder.entryKey(backendNamespace, backendId.getName())));
          last.ifPresent(
              value -> entries.add(new CredentialSecretBuilder.Entry(backendNamespace, backendId.getName(), ApiKey.of(value))));
          unresolved.add(
              "ModelBackend "
                  + backendNamespace
                  + "/"
                  + backendId.getName()
                  + ": "
                  + failure.message()
                  + (last.isPresent() ? " (the key copied before is kept)" : ""));
        }
        case CredentialResolution.NotRequired notRequired -> {}
      }
    }

    KubernetesClient client = context.getClient();
    String copyState;
    if (entries.isEmpty()) {
      if (existing.isPresent()) {
        client.secrets().inNamespace(namespace).withName(secretName).delete();
        LOG.info("Workflow {}/{}: deleted credentials Secret {}, no key is needed any more", namespace, workflow.getMetadata().getName(), secretName);
      }
      copyState = null;
    } else {
      if (existing.isEmpty() && isTakenByOthers(client, namespace, secretName)) {
        return new Outcome("False",
            SECRET_NAME_TAKEN,
            "Secret "
                + namespace
                + "/"
                + secretName
                + " exists and is not managed by the operator; rename or delete it so the keys can"
                + " be provisioned");
      }
      Secret desired = CredentialSecretBuilder.build(workflow, entries);
      if (existing.isEmpty() || !sameContent(existing.get(), desired)) {
        client.secrets().inNamespace(namespace).resource(desired).fieldManager(NAME).forceConflicts().serverSideApply();
        LOG.info(
            "Workflow {}/{}: credentials Secret {} holds the keys of {}",
            namespace,
            workflow.getMetadata().getName(),
            secretName,
            desired.getMetadata().getAnnotations().get(CredentialSecretBuilder.BACKENDS_ANNOTATION));
      }
      copyState =
          "keys of "
              + entries.stream().map(CredentialSecretBuilder.Entry::backendId).collect(Collectors.joining(", "))
              + " in Secret "
              + secretName;
    }

    List<String> problems = new ArrayList<>(refusals);
    problems.addAll(unresolved);
    if (problems.isEmpty()) {
      return copyState == null
          ? new Outcome("True", NO_HOSTED_BACKENDS, "no route of RoutingPolicy " + policy.get().getMetadata().getName() + " uses a hosted backend that needs a key")
          : new Outcome("True", PROVISIONED, copyState, keyed(entries));
    }
    String reason = refusals.isEmpty() ? CREDENTIALS_UNRESOLVED : ShareWithAdmission.NAMESPACE_NOT_ADMITTED;
    String message = String.join("; ", problems) + (copyState == null ? "" : "; provisioned: " + copyState);
    return new Outcome("False", reason, message, keyed(entries));
  }

  private static Set<ResourceID> keyed(List<CredentialSecretBuilder.Entry> entries) {
    return entries.stream()
        .map(entry -> new ResourceID(entry.backendName(), entry.backendNamespace()))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Every backend any route of the policy names, in route order; namespace defaults to the policy's. */
  static Set<ResourceID> backendsOf(RoutingPolicy policy) {
    Set<ResourceID> ids = new LinkedHashSet<>();
    if (policy.getSpec() == null || policy.getSpec().routes() == null) {
      return ids;
    }
    for (Route route : policy.getSpec().routes()) {
      for (RouteTarget target : route.targets() == null ? List.<RouteTarget>of() : route.targets()) {
        BackendRef ref = target.backend();
        if (ref != null && ref.name() != null) {
          ids.add(new ResourceID(ref.name(), ref.namespace() != null ? ref.namespace() : policy.getMetadata().getNamespace()));
        }
      }
    }
    return ids;
  }

  private Set<ResourceID> workflowsUsing(EventSourceContext<Workflow> context, Set<ResourceID> backendIds) {
    if (backendIds.isEmpty() || policies == null) {
      return Set.of();
    }
    Set<ResourceID> policyIds =
        policies
            .list(policy -> backendsOf(policy).stream().anyMatch(backendIds::contains))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet());
    return workflowsOf(context, policyIds);
  }

  private static Set<ResourceID> workflowsOf(EventSourceContext<Workflow> context, Set<ResourceID> policyIds) {
    return context
        .getPrimaryCache()
        .list(
            workflow ->
                workflow.getSpec() != null
                    && workflow.getSpec().policyRef() != null
                    && policyIds.contains(
                        new ResourceID(workflow.getSpec().policyRef().name(), workflow.getMetadata().getNamespace())))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  private static boolean isTakenByOthers(KubernetesClient client, String namespace, String name) {
    Secret found = client.secrets().inNamespace(namespace).withName(name).get();
    return found != null
        && !CredentialSecretBuilder.COMPONENT.equals(
            found.getMetadata().getLabels() == null ? null : found.getMetadata().getLabels().get("app.kubernetes.io/component"));
  }

  private static boolean sameContent(Secret existing, Secret desired) {
    return Objects.equals(existing.getData(), desired.getData())
        && Objects.equals(
            existing.getMetadata().getAnnotations() == null ? null : existing.getMetadata().getAnnotations().get(CredentialSecretBuilder.BACKENDS_ANNOTATION),
            desired.getMetadata().getAnnotations().get(CredentialSecretBuilder.BACKENDS_ANNOTATION))
        && existing.getMetadata().getOwnerReferences() != null
        && existing.getMetadata().getOwnerReferences().equals(desired.getMetadata().getOwnerReferences());
  }

}
