package io.aihandler.controllers.workflow;

import io.aihandler.api.v1alpha1.Workflow;
import io.aihandler.controllers.hosted.ApiKey;
import io.aihandler.controllers.hosted.SourceSecrets;
import io.aihandler.controllers.owned.ControllerReference;
import io.aihandler.controllers.owned.ManagedLabels;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Desired state of the Secret that carries hosted backends' keys into a Workflow's namespace: one
 * Secret per Workflow, one entry per backend, so the sidecar mounts it as a directory holding one
 * file per backend and re-reads a file when its key rotates.
 *
 * <p>Name: {@link WorkflowObjectNames#credentialsSecret} ({@code <workflow>-credentials}), mounted
 * by the sidecar at {@link WorkflowObjectNames#CREDENTIALS_DIRECTORY}. Entry key: {@code <backend
 * namespace>.<backend name>} (a namespace has no dots, so the split is unambiguous). The Secret is
 * owned by the Workflow, so the garbage collector deletes it with the Workflow, and it never
 * carries the {@link SourceSecrets#LABEL} label: a copy is not a source.
 */
public final class CredentialSecretBuilder {

  /** Value of {@code app.kubernetes.io/component} on the copies, also used to watch them. */
  public static final String COMPONENT = ManagedLabels.WORKFLOW_CREDENTIALS;

  /** Annotation listing the backends whose keys the Secret holds (names only). */
  public static final String BACKENDS_ANNOTATION = "aihandler.io/backends";

  /** Annotation naming the Workflow the Secret serves. */
  public static final String WORKFLOW_ANNOTATION = "aihandler.io/workflow";

  private static final int MAX_KEY = 253;

  private CredentialSecretBuilder() {}

  /**
   * One backend's key in the Secret.
   *
   * @param backendNamespace the ModelBackend's namespace
   * @param backendName the ModelBackend's name
   * @param key its API key
   */
  public record Entry(String backendNamespace, String backendName, ApiKey key) {

    /** {@code namespace/name}, for messages and the annotation. */
    public String backendId() {
      return backendNamespace + "/" + backendName;
    }
  }

  /** The name of a Workflow's credentials Secret, as the sidecar injection expects it. */
  public static String secretName(Workflow workflow) {
    return WorkflowObjectNames.credentialsSecret(workflow);
  }

  /**
   * The key of a backend's entry, which is also the file name the sidecar reads: {@code
   * <namespace>.<name>}, shortened with a hash in the rare case it would exceed 253 characters.
   */
  public static String entryKey(String backendNamespace, String backendName) {
    String key = backendNamespace + "." + backendName;
    if (key.length() <= MAX_KEY) {
      return key;
    }
    String hash = shortHash(backendName);
    return key.substring(0, MAX_KEY - hash.length() - 1) + "-" + hash;
  }

  /** Labels of every copy; the operator's informer of copies selects on them. */
  public static Map<String, String> labels() {
    return ManagedLabels.of(COMPONENT);
  }

  /** The label selector matching every copy. */
  public static String labelSelector() {
    return ManagedLabels.selector(COMPONENT);
  }

  /** Builds the Secret for {@code workflow} holding {@code entries} (at least one). */
  public static Secret build(Workflow workflow, List<Entry> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(
          "a credentials Secret needs at least one entry; delete it instead");
    }
    List<Entry> sorted =
        entries.stream()
            .sorted(Comparator.comparing(Entry::backendNamespace).thenComparing(Entry::backendName))
            .toList();
    Map<String, String> data = new LinkedHashMap<>();
    for (Entry entry : sorted) {
      data.put(
          entryKey(entry.backendNamespace(), entry.backendName()),
          Base64.getEncoder().encodeToString(entry.key().bytes()));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(WORKFLOW_ANNOTATION, workflow.getMetadata().getName());
    annotations.put(
        BACKENDS_ANNOTATION,
        sorted.stream().map(Entry::backendId).collect(Collectors.joining(",")));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secretName(workflow))
        .withNamespace(workflow.getMetadata().getNamespace())
        .withLabels(labels())
        .withAnnotations(annotations)
        .withOwnerReferences(ControllerReference.to(workflow))
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  private static String shortHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
