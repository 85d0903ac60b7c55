package io.aihandler.controllers.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.testing.HostedFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShareWithAdmissionTest {

  private static ModelBackend backend(String shareWith) {
    return HostedFixtures.hosted("llm-platform", "claude", "anthropic", "anthropic-key", shareWith);
  }

  @Test
  void ownNamespaceIsAlwaysAdmitted() {
    assertThat(ShareWithAdmission.admit(backend(""), "llm-platform", Map.of()).admitted()).isTrue();
  }

  @Test
  void withoutShareWithOtherNamespacesAreRefusedWithTheBackendNamed() {
    ShareWithAdmission.Verdict verdict =
        ShareWithAdmission.admit(backend(""), "support", Map.of("team", "support"));
    assertThat(verdict.admitted()).isFalse();
    assertThat(verdict.reason()).isEqualTo("NotShared");
    assertThat(verdict.message()).contains("ModelBackend llm-platform/claude").contains("support");
  }

  @Test
  void listedNamespaceIsAdmittedOthersAreNot() {
    ModelBackend listed = backend("shareWith: {namespaces: [support]}");
    assertThat(ShareWithAdmission.admit(listed, "support", Map.of()).admitted()).isTrue();
    ShareWithAdmission.Verdict refused = ShareWithAdmission.admit(listed, "sales", Map.of());
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.reason()).isEqualTo("NamespaceNotAdmitted");
    assertThat(refused.message()).contains("[support]");
  }

  @Test
  void matchLabelsSelectsByTheNamespacesLabels() {
    ModelBackend selecting =
        backend("shareWith: {namespaceSelector: {matchLabels: {team: support}}}");
    assertThat(ShareWithAdmission.admit(selecting, "support", Map.of("team", "support")).admitted())
        .isTrue();
    ShareWithAdmission.Verdict refused =
        ShareWithAdmission.admit(selecting, "sales", Map.of("team", "sales"));
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.message()).contains("team=support");
  }

  @Test
  void matchExpressionsFollowKubernetesSemantics() {
    ModelBackend in =
        backend(
            "shareWith: {namespaceSelector: {matchExpressions: [{key: tier, operator: In, values: [gold, silver]}]}}");
    assertThat(ShareWithAdmission.admit(in, "a", Map.of("tier", "gold")).admitted()).isTrue();
    assertThat(ShareWithAdmission.admit(in, "a", Map.of("tier", "bronze")).admitted()).isFalse();
    assertThat(ShareWithAdmission.admit(in, "a", Map.of()).admitted()).isFalse();

    ModelBackend notIn =
        backend(
            "shareWith: {namespaceSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [restricted]}]}}");
    assertThat(ShareWithAdmission.admit(notIn, "a", Map.of()).admitted()).isTrue();
    assertThat(ShareWithAdmission.admit(notIn, "a", Map.of("tier", "restricted")).admitted())
        .isFalse();

    ModelBackend exists =
        backend(
            "shareWith: {namespaceSelector: {matchExpressions: [{key: llm-access, operator: Exists}]}}");
    assertThat(ShareWithAdmission.admit(exists, "a", Map.of("llm-access", "")).admitted()).isTrue();
    assertThat(ShareWithAdmission.admit(exists, "a", Map.of()).admitted()).isFalse();

    ModelBackend absent =
        backend(
            "shareWith: {namespaceSelector: {matchExpressions: [{key: sandbox, operator: DoesNotExist}]}}");
    assertThat(ShareWithAdmission.admit(absent, "a", Map.of("sandbox", "true")).admitted())
        .isFalse();
  }

  @Test
  void emptySelectorAdmitsEveryNamespaceAndTheNameLabelIsAlwaysKnown() {
    assertThat(
            ShareWithAdmission.admit(
                    backend("shareWith: {namespaceSelector: {}}"), "anything", Map.of())
                .admitted())
        .isTrue();
    ModelBackend byName =
        backend(
            "shareWith: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: support}}}");
    assertThat(ShareWithAdmission.admit(byName, "support", Map.of()).admitted()).isTrue();
  }

  @Test
  void unknownOperatorRefuses() {
    ModelBackend odd =
        backend(
            "shareWith: {namespaceSelector: {matchExpressions: [{key: team, operator: Gt, values: [\"1\"]}]}}");
    assertThat(ShareWithAdmission.admit(odd, "a", Map.of("team", "2")).admitted()).isFalse();
  }
}
