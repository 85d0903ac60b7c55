package io.aihandler.controllers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.v1alpha1.ConditionedStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.lang.reflect.InvocationTargetException;
import java.util.Iterator;

/**
 * The one way a reconciler writes its primary's status: a patch of the whole status, sent only when
 * it says something the current status does not. JOSDK applies it server-side, so the patch names
 * the object and nothing else of its metadata: a resourceVersion would make it a precondition, and
 * a conflict would drop a decision (a scaling step, a published config) already made in the
 * cluster.
 */
public final class StatusPatch {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusPatch() {}

  /**
   * A status patch when {@code status} differs from the primary's current status; no write
   * otherwise.
   */
  public static <S extends ConditionedStatus, P extends CustomResource<?, S>>
      UpdateControl<P> ifChanged(P primary, S status) {
    if (same(primary.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    return UpdateControl.patchStatus(of(primary, status));
  }

  /** A copy of the primary holding only its name, namespace and {@code status}. */
  public static <S extends ConditionedStatus, P extends CustomResource<?, S>> P of(
      P primary, S status) {
    P patch = emptyLike(primary);
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(primary.getMetadata().getName())
            .withNamespace(primary.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return patch;
  }

  /**
   * Whether two statuses say the same: equal as JSON once absent, null and empty values are treated
   * alike (the API server drops empty lists, the Java types default some to empty).
   */
  public static boolean same(Object current, Object wanted) {
    if (current == null || wanted == null) {
      return current == wanted;
    }
    return normalized(JSON.valueToTree(current)).equals(normalized(JSON.valueToTree(wanted)));
  }

  /**
   * A deep copy of a status, so a failure status can change a condition without touching the cache.
   */
  @SuppressWarnings("unchecked")
  public static <S> S copy(S status) {
    return status == null ? null : (S) JSON.convertValue(status, status.getClass());
  }

  private static JsonNode normalized(JsonNode node) {
    if (node instanceof ObjectNode object) {
      ObjectNode result = JSON.createObjectNode();
      for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        JsonNode value = normalized(object.get(name));
        if (!isEmpty(value)) {
          result.set(name, value);
        }
      }
      return result;
    }
    if (node instanceof ArrayNode array) {
      ArrayNode result = JSON.createArrayNode();
      array.forEach(element -> result.add(normalized(element)));
      return result;
    }
    return node;
  }

  private static boolean isEmpty(JsonNode value) {
    return value == null || value.isNull() || (value.isContainerNode() && value.isEmpty());
  }

  @SuppressWarnings("unchecked")
  private static <P> P emptyLike(P primary) {
    try {
      return (P) primary.getClass().getDeclaredConstructor().newInstance();
    } catch (InstantiationException
        | IllegalAccessException
        | InvocationTargetException
        | NoSuchMethodException e) {
      throw new IllegalStateException(
          "cannot create a status patch of " + primary.getClass().getSimpleName(), e);
    }
  }
}
