package io.aihandler.controllers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.api.v1alpha1.ConditionedStatus;
import io.aihandler.controllers.owned.OwnedObjectApplyException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.lang.reflect.InvocationTargetException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The one way a reconciler writes its primary's status: a server-side apply of the fields it owns,
 * sent only when they say something the stored status does not, and put into the controller's cache
 * so the next reconciliation starts from it.
 *
 * <p>Why the cache: a reconciliation builds the status from the one before (the scaling history,
 * the GPU-hour totals, the time a condition last changed). The primary JOSDK hands over comes from
 * its informer, which sees a status write a moment after it was made; a reconciliation in that
 * moment (the Deployment write of the previous one triggers one at once) would build on the older
 * status and its apply would drop what the previous one added. JOSDK's {@link
 * PrimaryUpdateAndCacheUtils} keeps the written object in a cache in front of the informer until
 * the informer has caught up.
 *
 * <p>That needs the apply to name the resourceVersion it was built on: an apply built on a status
 * that is no longer the stored one (another writer, or an informer that let an older copy through)
 * is refused with a conflict. A conflict does not drop a decision already made in the cluster (a
 * scaling step, a published config): the status is built again, by the same function, on the stored
 * status that refused it, and applied again. Resending the refused apply as it was (what {@code
 * PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource} does) would write back the old history
 * the conflict had just protected.
 */
public final class StatusPatch {

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusPatch() {}

  /**
   * What a write did.
   *
   * @param stored the writer's fields of the stored status the final status was built on (null: no
   *     status yet)
   * @param status what the writer's fields are now
   * @param written whether an apply was sent
   */
  public record Written<S>(S stored, S status, boolean written) {}

  /**
   * Writes a status that the writer owns whole when it differs from the stored one; see {@link
   * #write(CustomResource, Context, UnaryOperator, UnaryOperator)}.
   */
  public static <S extends ConditionedStatus, P extends CustomResource<?, S>>
      UpdateControl<P> ifChanged(P primary, Context<P> context, UnaryOperator<S> build) {
    write(primary, context, UnaryOperator.identity(), build);
    return UpdateControl.noUpdate();
  }

  /**
   * Builds the writer's fields from the same fields of the primary's status and applies them when
   * they differ; on a conflict, builds them again on the stored status and applies again.
   *
   * @param ownFields the writer's fields of a status (null stays null); applied under the
   *     controller's field manager, so the fields of other writers are left as they are
   * @param build the writer's fields from those stored (null: no status yet); pure, since it may
   *     run again after a conflict
   * @throws OwnedObjectApplyException when the API server refuses the status as invalid
   */
  public static <S extends ConditionedStatus, P extends CustomResource<?, S>> Written<S> write(
      P primary, Context<P> context, UnaryOperator<S> ownFields, UnaryOperator<S> build) {
    S stored = ownFields.apply(primary.getStatus());
    S wanted = build.apply(stored);
    if (same(stored, wanted)) {
      return new Written<>(stored, stored, false);
    }
    AtomicReference<Written<S>> last = new AtomicReference<>(new Written<>(stored, wanted, true));
    P first = of(primary, wanted);
    PrimaryUpdateAndCacheUtils.updateAndCacheResource(
        primary,
        context,
        current -> {
          if (current == primary) {
            return first;
          }
          S again = ownFields.apply(current.getStatus());
          S rebuilt = build.apply(again);
          last.set(new Written<>(again, rebuilt, true));
          return of(current, rebuilt);
        },
        patch -> apply(patch, context));
    return last.get();
  }

  /**
   * The apply itself. An invalid status (422) is reported as such, not as a {@link
   * KubernetesClientException}: {@code PrimaryUpdateAndCacheUtils} retries a 422 like a conflict
   * (meant for JSON patches of finalizer lists) and would wait for a newer copy that an invalid
   * status never brings.
   */
  private static <P extends CustomResource<?, ?>> P apply(P patch, Context<P> context) {
    try {
      return context
          .getClient()
          .resource(patch)
          .subresource("status")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.SERVER_SIDE_APPLY)
                  .withForce(true)
                  .withFieldManager(context.getControllerConfiguration().fieldManager())
                  .build());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 422) {
        throw new OwnedObjectApplyException("write the status of", patch, e);
      }
      throw e;
    }
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
