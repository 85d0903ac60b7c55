package io.aihandler.controllers.hosted;

import io.aihandler.api.v1alpha1.SecretKeyRef;

/** Whether a hosted backend's API key could be read, and why not. Never carries the key's text. */
public sealed interface CredentialResolution {

  /** Reason when the referenced Secret does not exist or is not visible to the operator. */
  String SECRET_NOT_FOUND = "SecretNotFound";

  /** Reason when the Secret exists but has no such key. */
  String KEY_NOT_FOUND = "KeyNotFound";

  /** Reason when the key exists but holds nothing usable. */
  String KEY_EMPTY = "KeyEmpty";

  /** Reason when the key was found. */
  String RESOLVED = "Resolved";

  /** Reason when the backend declares no credentials (an open OpenAI-compatible endpoint). */
  String NOT_REQUIRED = "NotRequired";

  /**
   * The key was read.
   *
   * @param secretRef where it was read from
   * @param key the key (its text form is redacted)
   */
  record Resolved(SecretKeyRef secretRef, ApiKey key) implements CredentialResolution {}

  /** The backend needs no key. */
  record NotRequired() implements CredentialResolution {}

  /**
   * The key could not be read.
   *
   * @param reason a condition reason: {@link #SECRET_NOT_FOUND}, {@link #KEY_NOT_FOUND} or {@link
   *     #KEY_EMPTY}
   * @param message what is wrong and what to do, naming the Secret and key, never a value
   */
  record Unresolved(String reason, String message) implements CredentialResolution {}
}
