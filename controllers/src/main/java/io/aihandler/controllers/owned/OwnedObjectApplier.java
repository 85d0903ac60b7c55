package io.aihandler.controllers.owned;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one way the operator writes the objects it owns, for every primary kind: server-side apply
 * under one field manager, forcing conflicts (the operator owns these fields; a hand edit of one of
 * them is taken back), and only when something changed.
 *
 * <p>"Changed" has two parts. The desired state's hash, kept in an annotation, says whether the
 * spec moved since the last apply, without comparing against the server's defaults and
 * normalisations. And every field the operator sets is compared with the object as the informer
 * sees it (fields the server or others add are ignored), so a {@code kubectl edit} of the image,
 * the args or the GPU request is put back by the reconcile the edit itself triggers. An object that
 * is as we want it costs no write at all.
 *
 * <p>Upgrades: operator versions before this one applied Workflow ConfigMaps and Secrets under
 * their own field managers ({@link #LEGACY_FIELD_MANAGERS}). Before the first apply of such an
 * object its legacy managedFields entry is renamed to {@link #FIELD_MANAGER} (what kubectl does
 * when it moves client-side apply to server-side apply), so the fields the old manager set and the
 * new desired state no longer has are removed by the apply instead of staying behind unowned.
 */
public final class OwnedObjectApplier {

  /** The field manager of everything this operator applies. */
  public static final String FIELD_MANAGER = "aihandler-operator";

  /** Annotation holding the hash of the desired state last applied. */
  public static final String DESIRED_HASH_ANNOTATION = "aihandler.io/desired-state-hash";

  /** Field managers of earlier operator versions, whose entries are taken over. */
  public static final Set<String> LEGACY_FIELD_MANAGERS =
      Set.of("workflow", "workflow-credentials");

  private static final Pattern QUANTITY =
      Pattern.compile(
          "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?");

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** What happened to one object. */
  public enum Outcome {
    CREATED,
    /** The desired state changed and was applied. */
    UPDATED,
    /** The desired state is the one applied before, but the object had drifted from it. */
    RESTORED,
    UNCHANGED
  }

  /**
   * The object as the API server now has it (as cached when unchanged), and what happened.
   *
   * @param object the current object
   * @param outcome whether it was created, updated, restored or left alone
   */
  public record Applied<R extends HasMetadata>(R object, Outcome outcome) {}

  private OwnedObjectApplier() {}

  /**
   * Applies {@code desired} unless {@code existing} already is as desired, and tells the informer
   * of {@code desired}'s kind (the only one of that kind for this primary) about the write.
   *
   * @param existing the object as cached by the informer, or null
   */
  @SuppressWarnings("unchecked")
  public static <R extends HasMetadata, P extends HasMetadata> Applied<R> apply(
      R desired, R existing, Context<P> context) {
    return apply(
        desired,
        existing,
        context,
        (InformerEventSource<R, P>)
            context.eventSourceRetriever().getEventSourceFor((Class<R>) desired.getClass()));
  }

  /** {@link #apply(HasMetadata, HasMetadata, Context)} with the informer that caches the object. */
  public static <R extends HasMetadata, P extends HasMetadata> Applied<R> apply(
      R desired, R existing, Context<P> context, InformerEventSource<R, P> informer) {
    KubernetesClient client = context.getClient();
    String hash = hash(client, desired);
    Map<String, String> annotations =
        new LinkedHashMap<>(
            desired.getMetadata().getAnnotations() == null
                ? Map.of()
                : desired.getMetadata().getAnnotations());
    annotations.put(DESIRED_HASH_ANNOTATION, hash);
    desired.getMetadata().setAnnotations(annotations);

    boolean sameSpec =
        existing != null
            && existing.getMetadata().getAnnotations() != null
            && hash.equals(existing.getMetadata().getAnnotations().get(DESIRED_HASH_ANNOTATION));
    if (sameSpec && covers(client, existing, desired)) {
      return new Applied<>(existing, Outcome.UNCHANGED);
    }
    R applied;
    try {
      if (existing != null) {
        adoptLegacyFields(existing, client);
      }
      applied =
          client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    } catch (KubernetesClientException e) {
      throw new OwnedObjectApplyException("apply", desired, e);
    }

    // Tell the informer about our own write, so the next reconciliation does not read a stale
    // cache and apply again, and our write does not trigger a reconciliation of its own.
    ResourceID primary = ResourceID.fromResource(context.getPrimaryResource());
    if (existing == null) {
      informer.handleRecentResourceCreate(primary, applied);
      return new Applied<>(applied, Outcome.CREATED);
    }
    informer.handleRecentResourceUpdate(primary, applied, existing);
    return new Applied<>(applied, sameSpec ? Outcome.RESTORED : Outcome.UPDATED);
  }

  /** Deletes an object we own that is no longer wanted. */
  public static void delete(HasMetadata existing, KubernetesClient client) {
    try {
      client.resource(existing).delete();
    } catch (KubernetesClientException e) {
      throw new OwnedObjectApplyException("delete", existing, e);
    }
  }

  /**
   * Whether every field of {@code desired} is in {@code existing} with the same value: objects
   * field by field, lists element by element with equal length, numbers by value. Fields only
   * {@code existing} has (server defaults, other managers' labels, status) do not count, nor do
   * empty values the server drops.
   */
  static boolean covers(KubernetesClient client, HasMetadata existing, HasMetadata desired) {
    JsonNode wanted = client.getKubernetesSerialization().convertValue(desired, JsonNode.class);
    JsonNode actual = client.getKubernetesSerialization().convertValue(existing, JsonNode.class);
    if (wanted instanceof ObjectNode object) {
      object.remove("status");
    }
    return covers(actual, wanted);
  }

  private static boolean covers(JsonNode actual, JsonNode wanted) {
    if (wanted == null || wanted.isNull() || (wanted.isContainerNode() && wanted.isEmpty())) {
      return actual == null
          || actual.isNull()
          || actual.isMissingNode()
          || (actual.isContainerNode() && actual.isEmpty());
    }
    if (actual == null || actual.isNull() || actual.isMissingNode()) {
      return false;
    }
    if (wanted.isObject()) {
      if (!actual.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!covers(actual.get(field.getKey()), field.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (wanted.isArray()) {
      if (!actual.isArray() || actual.size() != wanted.size()) {
        return false;
      }
      for (int i = 0; i < wanted.size(); i++) {
        if (!covers(actual.get(i), wanted.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (wanted.isNumber() && actual.isNumber()) {
      return wanted.decimalValue().compareTo(actual.decimalValue()) == 0;
    }
    return wanted.equals(actual) || sameQuantity(wanted, actual);
  }

  /**
   * The API server stores quantities in canonical form ({@code 0.5} comes back as {@code 500m}).
   */
  private static boolean sameQuantity(JsonNode wanted, JsonNode actual) {
    if (!wanted.isTextual()
        || !actual.isTextual()
        || !QUANTITY.matcher(wanted.asText()).matches()
        || !QUANTITY.matcher(actual.asText()).matches()) {
      return false;
    }
    try {
      return new Quantity(wanted.asText())
              .getNumericalAmount()
              .compareTo(new Quantity(actual.asText()).getNumericalAmount())
          == 0;
    } catch (IllegalArgumentException | ArithmeticException e) {
      return false;
    }
  }

  /**
   * Renames a legacy field manager's apply entry to ours, so our apply owns (and may prune) its
   * fields.
   */
  private static void adoptLegacyFields(HasMetadata existing, KubernetesClient client) {
    List<ManagedFieldsEntry> entries = existing.getMetadata().getManagedFields();
    if (entries == null || entries.stream().noneMatch(OwnedObjectApplier::isLegacyApply)) {
      return;
    }
    boolean oursExists =
        entries.stream()
            .anyMatch(
                e -> FIELD_MANAGER.equals(e.getManager()) && "Apply".equals(e.getOperation()));
    List<ManagedFieldsEntry> rewritten = new ArrayList<>();
    boolean adopted = oursExists;
    for (ManagedFieldsEntry entry : entries) {
      if (!isLegacyApply(entry)) {
        rewritten.add(entry);
      } else if (!adopted) {
        rewritten.add(new ManagedFieldsEntryBuilder(entry).withManager(FIELD_MANAGER).build());
        adopted = true;
      }
    }
    // A JSON patch that first tests the resourceVersion: the entries are rewritten only on the
    // object they were read from.
    String patch =
        client
            .getKubernetesSerialization()
            .asJson(
                List.of(
                    Map.of(
                        "op",
                        "test",
                        "path",
                        "/metadata/resourceVersion",
                        "value",
                        existing.getMetadata().getResourceVersion()),
                    Map.of(
                        "op", "replace", "path", "/metadata/managedFields", "value", rewritten)));
    client.resource(existing).patch(PatchContext.of(PatchType.JSON), patch);
  }

  private static boolean isLegacyApply(ManagedFieldsEntry entry) {
    return LEGACY_FIELD_MANAGERS.contains(entry.getManager())
        && "Apply".equals(entry.getOperation());
  }

  static String hash(KubernetesClient client, HasMetadata desired) {
    Map<?, ?> tree = client.getKubernetesSerialization().convertValue(desired, Map.class);
    try {
      byte[] canonical = CANONICAL.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical), 0, 12);
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot hash desired state of " + desired.getKind(), e);
    }
  }
}
