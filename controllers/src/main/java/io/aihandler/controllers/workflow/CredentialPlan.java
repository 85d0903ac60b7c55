package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ApiKey;
import io.aihandler.controllers.hosted.CredentialResolution;
import io.aihandler.controllers.hosted.CredentialResolver;
import io.aihandler.controllers.hosted.ShareWithAdmission;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.status.Conditions;
import io.aihandler.controllers.status.Conditions.Desired;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which hosted backends' keys a Workflow's credentials Secret must hold, decided from the policy's
 * resolution (the backends its routes reach and those whose {@code shareWith} refuses the
 * Workflow's namespace), and what the {@code CredentialsProvisioned} condition says about it. Pure:
 * the source Secrets and the current copy come from the caller's caches.
 */
public final class CredentialPlan {

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

  /**
   * What to do with the copy.
   *
   * @param keepExisting leave the copy as it is (the needed keys are unknown)
   * @param entries the keys the copy must hold; none means it must not exist
   * @param condition the CredentialsProvisioned condition
   * @param keyed the backends whose key the copy holds, for the router document
   */
  public record Plan(
      boolean keepExisting,
      List<CredentialSecretBuilder.Entry> entries,
      Desired condition,
      Set<BackendKey> keyed) {

    /** The same plan when the copy cannot be written because a foreign Secret has its name. */
    public Plan nameTaken(String namespace, String secretName) {
      return new Plan(
          true,
          List.of(),
          new Desired(
              Conditions.CREDENTIALS_PROVISIONED,
              false,
              SECRET_NAME_TAKEN,
              "Secret "
                  + namespace
                  + "/"
                  + secretName
                  + " exists and is not managed by the operator; rename or delete it"
                  + " so the keys can be provisioned"),
          Set.of());
    }
  }

  private CredentialPlan() {}

  /** Without the policy the needed keys are unknown: the copy is left as it is, not emptied. */
  public static Plan policyNotFound(String namespace, String policyName) {
    return new Plan(
        true,
        List.of(),
        Desired.unknown(
            Conditions.CREDENTIALS_PROVISIONED,
            POLICY_NOT_FOUND,
            "RoutingPolicy "
                + namespace
                + "/"
                + policyName
                + " not found; credentials are left as they are until it exists"),
        Set.of());
  }

  /**
   * @param sourceOf the cached source Secret of a hosted backend
   * @param existingCopy the Workflow's credentials Secret as cached
   */
  public static Plan plan(
      Workflow workflow,
      RoutingPolicy policy,
      RoutingPolicyResolution.Result resolution,
      Function<ModelBackend, Optional<Secret>> sourceOf,
      Optional<Secret> existingCopy) {
    return plan(workflow, policy, resolution, List.of(), sourceOf, existingCopy);
  }

  /**
   * @param candidates the tasks' usable evaluation candidates: shadow calls spend their keys too
   * @param sourceOf the cached source Secret of a hosted backend
   * @param existingCopy the Workflow's credentials Secret as cached
   */
  public static Plan plan(
      Workflow workflow,
      RoutingPolicy policy,
      RoutingPolicyResolution.Result resolution,
      List<ModelBackend> candidates,
      Function<ModelBackend, Optional<Secret>> sourceOf,
      Optional<Secret> existingCopy) {
    Map<BackendKey, ModelBackend> keyedBackends = new LinkedHashMap<>();
    for (RoutingPolicyResolution.ResolvedRoute route : resolution.routes()) {
      for (RoutingPolicyResolution.ResolvedTarget target : route.targets()) {
        if (needsKey(target.backend())) {
          keyedBackends.putIfAbsent(BackendKey.of(target.backend()), target.backend());
        }
      }
    }
    for (ModelBackend candidate : candidates) {
      if (needsKey(candidate)) {
        keyedBackends.putIfAbsent(BackendKey.of(candidate), candidate);
      }
    }
    // Missing backends are ResolvedRefs' business; vLLM and keyless ones need no copy.
    List<String> refusals =
        resolution.refusals().stream()
            .filter(refusal -> needsKey(refusal.backend()))
            .map(RoutingPolicyResolution.Refusal::message)
            .toList();

    List<CredentialSecretBuilder.Entry> entries = new ArrayList<>();
    List<String> unresolved = new ArrayList<>();
    for (Map.Entry<BackendKey, ModelBackend> backend : keyedBackends.entrySet()) {
      BackendKey key = backend.getKey();
      CredentialResolution resolutionOfKey =
          CredentialResolver.resolve(
              key.namespace(),
              backend.getValue().getSpec().hosted(),
              sourceOf.apply(backend.getValue()));
      switch (resolutionOfKey) {
        case CredentialResolution.Resolved resolved ->
            entries.add(
                new CredentialSecretBuilder.Entry(key.namespace(), key.name(), resolved.key()));
        case CredentialResolution.Unresolved failure -> {
          // Keep the key last copied: a typo in a source must not cut off running sidecars.
          Optional<byte[]> last =
              existingCopy.flatMap(
                  copy ->
                      CredentialResolver.value(
                          copy, CredentialSecretBuilder.entryKey(key.namespace(), key.name())));
          last.ifPresent(
              value ->
                  entries.add(
                      new CredentialSecretBuilder.Entry(
                          key.namespace(), key.name(), ApiKey.of(value))));
          unresolved.add(
              "ModelBackend "
                  + key
                  + ": "
                  + failure.message()
                  + (last.isPresent() ? " (the key copied before is kept)" : ""));
        }
        case CredentialResolution.NotRequired notRequired -> {}
      }
    }

    String copyState =
        entries.isEmpty()
            ? null
            : "keys of "
                + entries.stream()
                    .map(CredentialSecretBuilder.Entry::backendId)
                    .collect(Collectors.joining(", "))
                + " in Secret "
                + WorkflowObjectNames.credentialsSecret(workflow);
    Set<BackendKey> keyed =
        entries.stream()
            .map(entry -> new BackendKey(entry.backendNamespace(), entry.backendName()))
            .collect(Collectors.toUnmodifiableSet());
    List<String> problems = new ArrayList<>(refusals);
    problems.addAll(unresolved);
    Desired condition;
    if (problems.isEmpty()) {
      condition =
          copyState == null
              ? new Desired(
                  Conditions.CREDENTIALS_PROVISIONED,
                  true,
                  NO_HOSTED_BACKENDS,
                  "no route of RoutingPolicy "
                      + policy.getMetadata().getName()
                      + " uses a hosted backend that needs a key")
              : new Desired(Conditions.CREDENTIALS_PROVISIONED, true, PROVISIONED, copyState);
    } else {
      String reason =
          refusals.isEmpty() ? CREDENTIALS_UNRESOLVED : ShareWithAdmission.NAMESPACE_NOT_ADMITTED;
      condition =
          new Desired(
              Conditions.CREDENTIALS_PROVISIONED,
              false,
              reason,
              String.join("; ", problems)
                  + (copyState == null ? "" : "; provisioned: " + copyState));
    }
    return new Plan(false, List.copyOf(entries), condition, keyed);
  }

  private static boolean needsKey(ModelBackend backend) {
    return backend.getSpec() != null
        && backend.getSpec().hosted() != null
        && backend.getSpec().hosted().credentials() != null;
  }
}
