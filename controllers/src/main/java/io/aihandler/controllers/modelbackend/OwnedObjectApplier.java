package io.aihandler.controllers.modelbackend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.aihandler.api.v1alpha1.ModelBackend;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Applies built objects with server-side apply, and only when they changed. Whether an object
 * changed is decided by a hash of its desired state kept in an annotation, not by comparing it
 * with what the API server returns: the server adds defaults and normalizes values, and JOSDK's
 * managedFields-based comparison needs server features the test API server lacks. An unchanged
 * spec thus costs no write at all.
 */
public final class OwnedObjectApplier {

  /** The field manager of everything this operator applies. */
  public static final String FIELD_MANAGER = "aihandler-operator";

  /** Annotation holding the hash of the desired state last applied. */
  public static final String DESIRED_HASH_ANNOTATION = "aihandler.io/desired-state-hash";

  private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** What happened to one object. */
  public enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED
  }

  /**
   * The object as the API server now has it (as cached when unchanged), and what happened.
   *
   * @param object the current object
   * @param outcome whether it was created, updated or left alone
   */
  public record Applied<R extends HasMetadata>(R object, Outcome outcome) {}

  private OwnedObjectApplier() {}

  /**
   * Applies {@code desired} unless {@code existing} already carries its hash.
   *
   * @param existing the object as cached by the informer, or null
   */
  @SuppressWarnings("unchecked")
  public static <R extends HasMetadata> Applied<R> apply(R desired, R existing, Context<ModelBackend> context) {
    String hash = hash(context.getClient(), desired);
    if (existing != null && existing.getMetadata().getAnnotations() != null
        && hash.equals(existing.getMetadata().getAnnotations().get(DESIRED_HASH_ANNOTATION))) {
      return new Applied<>(existing, Outcome.UNCHANGED);
    }
    Map<String, String> annotations = new HashMap<>(desired.getMetadata().getAnnotations() == null ? Map.of() : desired.getMetadata().getAnnotations());
    annotations.put(DESIRED_HASH_ANNOTATION, hash);
    desired.getMetadata().setAnnotations(annotations);
    R applied = context.getClient().resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();

    // Tell the informer about our own write, so the next reconciliation does not read a stale
    // cache and apply again, and our write does not trigger a reconciliation of its own.
    var source = (InformerEventSource<R, ModelBackend>) context.eventSourceRetriever().getEventSourceFor((Class<R>) desired.getClass());
    ResourceID primary = ResourceID.fromResource(context.getPrimaryResource());
    if (existing == null) {
      source.handleRecentResourceCreate(primary, applied);
      return new Applied<>(applied, Outcome.CREATED);
    }
    source.handleRecentResourceUpdate(primary, applied, existing);
    return new Applied<>(applied, Outcome.UPDATED);
  }

  /** Deletes an object we own that is no longer wanted. */
  public static void delete(HasMetadata existing, KubernetesClient client) {
    client.resource(existing).delete();
  }

  static String hash(KubernetesClient client, HasMetadata desired) {
    Map<?, ?> tree = client.getKubernetesSerialization().convertValue(desired, Map.class);
    try {
      byte[] canonical = CANONICAL.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical), 0, 12);
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot hash desired state of " + desired.getKind(), e);
    }
  }
}
