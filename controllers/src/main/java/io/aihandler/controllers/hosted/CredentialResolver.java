package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.HostedSpec;
import io.aihandler.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a hosted backend's API key from its Secret. A pure function of the spec and the Secret as
 * the operator's cache holds it, so every outcome is testable without a cluster.
 */
public final class CredentialResolver {

  private CredentialResolver() {}

  /**
   * Resolves the key of {@code hosted} in {@code namespace}.
   *
   * @param namespace the ModelBackend's namespace, where the Secret must be
   * @param hosted the backend's hosted spec
   * @param secret the referenced Secret from the operator's cache of labelled source Secrets, or
   *     empty when it is not there
   */
  public static CredentialResolution resolve(
      String namespace, HostedSpec hosted, Optional<Secret> secret) {
    if (hosted.credentials() == null || hosted.credentials().secretRef() == null) {
      return new CredentialResolution.NotRequired();
    }
    SecretKeyRef ref = hosted.credentials().secretRef();
    if (secret.isEmpty()) {
      return new CredentialResolution.Unresolved(
          CredentialResolution.SECRET_NOT_FOUND,
          "Secret "
              + namespace
              + "/"
              + ref.name()
              + " not found. Create it in the ModelBackend's namespace and label it "
              + SourceSecrets.LABEL
              + "=\""
              + SourceSecrets.LABEL_VALUE
              + "\": the operator only watches Secrets with that label");
    }
    Optional<byte[]> value = value(secret.get(), ref.key());
    if (value.isEmpty()) {
      return new CredentialResolution.Unresolved(
          CredentialResolution.KEY_NOT_FOUND,
          "Secret "
              + namespace
              + "/"
              + ref.name()
              + " has no key "
              + ref.key()
              + "; its keys are "
              + keysOf(secret.get()));
    }
    ApiKey key = ApiKey.of(value.get());
    if (key.isBlank()) {
      return new CredentialResolution.Unresolved(
          CredentialResolution.KEY_EMPTY,
          "key " + ref.key() + " of Secret " + namespace + "/" + ref.name() + " is empty");
    }
    return new CredentialResolution.Resolved(ref, key);
  }

  /**
   * The decoded value of {@code key}: {@code data} is what the API server returns; {@code
   * stringData} is accepted too because some stores (and test servers) keep it unconverted.
   */
  public static Optional<byte[]> value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      try {
        return Optional.of(Base64.getMimeDecoder().decode(data.get(key)));
      } catch (IllegalArgumentException notBase64) {
        // Only a broken store could hold this; treating it as missing keeps the text out of errors.
        return Optional.empty();
      }
    }
    Map<String, String> stringData = secret.getStringData();
    if (stringData != null && stringData.get(key) != null) {
      return Optional.of(stringData.get(key).getBytes(StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }

  private static String keysOf(Secret secret) {
    java.util.TreeSet<String> keys = new java.util.TreeSet<>();
    if (secret.getData() != null) {
      keys.addAll(secret.getData().keySet());
    }
    if (secret.getStringData() != null) {
      keys.addAll(secret.getStringData().keySet());
    }
    return keys.isEmpty() ? "none" : String.join(", ", keys);
  }
}
