package io.aihandler.controllers.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.api.v1alpha1.RoutingPolicy;
import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ApiKey;
import io.aihandler.controllers.routing.BackendKey;
import io.aihandler.controllers.routing.RoutingPolicyResolution;
import io.aihandler.controllers.testing.HostedFixtures;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which keys a Workflow's copy holds, decided from the one resolution of its policy. Pure. */
class CredentialPlanTest {

  private static final String CLAUDE_KEY = "sk-ant-plan-1f2e3d";
  private static final String OLD_GEMINI_KEY = "AIza-plan-old-9a8b";

  private final ModelBackend claude =
      HostedFixtures.hosted(
          "llm", "claude", "anthropic", "anthropic-key", "shareWith: {namespaces: [support]}");
  private final ModelBackend gpt =
      HostedFixtures.hosted("llm", "gpt-4o", "openai", "openai-key", "");
  private final ModelBackend gemini =
      HostedFixtures.hosted(
          "llm", "gemini", "gemini", "gemini-key", "shareWith: {namespaces: [support]}");
  private final Map<BackendKey, ModelBackend> backends =
      Map.of(BackendKey.of(claude), claude, BackendKey.of(gpt), gpt, BackendKey.of(gemini), gemini);
  private final Workflow workflow = HostedFixtures.workflow("support", "tickets", "routing");

  private CredentialPlan.Plan plan(RoutingPolicy policy, Optional<Secret> copy) {
    RoutingPolicyResolution.Result resolution =
        RoutingPolicyResolution.resolve(
            policy, key -> Optional.ofNullable(backends.get(key)), namespace -> Map.of());
    return CredentialPlan.plan(
        workflow,
        policy,
        resolution,
        backend ->
            backend == claude
                ? Optional.of(HostedFixtures.sourceSecret("llm", "anthropic-key", CLAUDE_KEY))
                : Optional.empty(),
        copy);
  }

  @Test
  void copiesTheKeysOfAdmittedBackendsAndNamesEveryOtherOne() {
    Secret lastCopy =
        CredentialSecretBuilder.build(
            workflow,
            List.of(new CredentialSecretBuilder.Entry("llm", "gemini", ApiKey.of(OLD_GEMINI_KEY))));

    CredentialPlan.Plan plan =
        plan(
            HostedFixtures.policy(
                "support", "routing", "llm/claude", "llm/gpt-4o", "llm/gemini", "llm/claude"),
            Optional.of(lastCopy));

    assertThat(plan.keepExisting()).isFalse();
    assertThat(plan.entries())
        .extracting(CredentialSecretBuilder.Entry::backendId)
        .containsExactly("llm/claude", "llm/gemini");
    assertThat(plan.keyed())
        .isEqualTo(Set.of(new BackendKey("llm", "claude"), new BackendKey("llm", "gemini")));
    // gpt-4o does not share with support: refused; gemini's source is gone: its last copied key
    // stays.
    assertThat(plan.condition().status()).isEqualTo("False");
    assertThat(plan.condition().reason()).isEqualTo("NamespaceNotAdmitted");
    assertThat(plan.condition().message())
        .contains(
            "ModelBackend llm/gpt-4o", "ModelBackend llm/gemini", "the key copied before is kept")
        .doesNotContain(CLAUDE_KEY, OLD_GEMINI_KEY);
  }

  @Test
  void noKeyedBackendMeansNoCopy() {
    CredentialPlan.Plan plan =
        plan(HostedFixtures.policy("support", "routing", "llm/missing"), Optional.empty());
    assertThat(plan.entries()).isEmpty();
    assertThat(plan.condition().reason()).isEqualTo("NoHostedBackends");
    assertThat(plan.condition().isTrue()).isTrue();
  }

  @Test
  void withoutThePolicyTheCopyIsLeftAsItIs() {
    CredentialPlan.Plan plan = CredentialPlan.policyNotFound("support", "routing");
    assertThat(plan.keepExisting()).isTrue();
    assertThat(plan.condition().status()).isEqualTo("Unknown");
    assertThat(plan.condition().reason()).isEqualTo("PolicyNotFound");
  }
}
