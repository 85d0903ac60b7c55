package io.aihandler.controllers.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import io.aihandler.api.v1alpha1.ModelBackend;
import io.aihandler.controllers.testing.HostedFixtures;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialResolverTest {

  private static final String KEY = "sk-resolver-4f9c2e71d0b8";
  private final ModelBackend backend =
      HostedFixtures.hosted("llm", "gpt", "openai", "openai-key", "");

  @Test
  void readsTheReferencedKey() {
    CredentialResolution result =
        CredentialResolver.resolve(
            "llm",
            backend.getSpec().hosted(),
            Optional.of(HostedFixtures.sourceSecret("llm", "openai-key", KEY)));

    assertThat(result)
        .isInstanceOfSatisfying(
            CredentialResolution.Resolved.class,
            resolved -> {
              assertThat(resolved.key().headerValue()).isEqualTo(KEY);
              assertThat(resolved.secretRef().name()).isEqualTo("openai-key");
              assertThat(resolved.toString()).doesNotContain(KEY);
            });
  }

  @Test
  void missingSecretIsNamedWithTheLabelItNeeds() {
    CredentialResolution result =
        CredentialResolver.resolve("llm", backend.getSpec().hosted(), Optional.empty());

    assertThat(result)
        .isInstanceOfSatisfying(
            CredentialResolution.Unresolved.class,
            unresolved -> {
              assertThat(unresolved.reason()).isEqualTo("SecretNotFound");
              assertThat(unresolved.message())
                  .contains("llm/openai-key")
                  .contains("aihandler.io/credentials=\"true\"");
            });
  }

  @Test
  void missingKeyListsTheKeysThereAreButNoValues() {
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("openai-key")
            .withNamespace("llm")
            .endMetadata()
            .withData(Map.of("token", HostedFixtures.base64(KEY)))
            .build();

    CredentialResolution result =
        CredentialResolver.resolve("llm", backend.getSpec().hosted(), Optional.of(secret));

    assertThat(result)
        .isInstanceOfSatisfying(
            CredentialResolution.Unresolved.class,
            unresolved -> {
              assertThat(unresolved.reason()).isEqualTo("KeyNotFound");
              assertThat(unresolved.message())
                  .contains("llm/openai-key")
                  .contains("api-key")
                  .contains("token")
                  .doesNotContain(KEY)
                  .doesNotContain(HostedFixtures.base64(KEY));
            });
  }

  @Test
  void blankKeyIsRefused() {
    CredentialResolution result =
        CredentialResolver.resolve(
            "llm",
            backend.getSpec().hosted(),
            Optional.of(HostedFixtures.sourceSecret("llm", "openai-key", " \n")));

    assertThat(result)
        .isInstanceOfSatisfying(
            CredentialResolution.Unresolved.class,
            unresolved -> assertThat(unresolved.reason()).isEqualTo("KeyEmpty"));
  }

  @Test
  void stringDataIsReadTooAndTrailingNewlineIsNotSent() {
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("openai-key")
            .withNamespace("llm")
            .endMetadata()
            .withStringData(Map.of("api-key", KEY + "\n"))
            .build();

    CredentialResolution result =
        CredentialResolver.resolve("llm", backend.getSpec().hosted(), Optional.of(secret));

    assertThat(((CredentialResolution.Resolved) result).key().headerValue()).isEqualTo(KEY);
  }

  @Test
  void backendWithoutCredentialsNeedsNone() {
    ModelBackend open =
        io.aihandler.controllers.testing.ModelBackends.fromYaml(
            """
        apiVersion: aihandler.io/v1alpha1
        kind: ModelBackend
        metadata: {name: gateway, namespace: llm}
        spec:
          hosted: {provider: openai-compatible, model: m, baseUrl: "http://gateway:8080/v1"}
        """);

    assertThat(CredentialResolver.resolve("llm", open.getSpec().hosted(), Optional.empty()))
        .isInstanceOf(CredentialResolution.NotRequired.class);
  }

  @Test
  void apiKeyNeverPrintsItself() {
    ApiKey key = ApiKey.of(KEY);
    assertThat(key.toString()).doesNotContain(KEY).contains("redacted");
    assertThat(key.fingerprint())
        .doesNotContain(KEY)
        .isEqualTo(ApiKey.of(KEY).fingerprint())
        .isNotEqualTo(ApiKey.of(KEY + "x").fingerprint());
  }
}
