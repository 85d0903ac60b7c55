package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.ApiException;
import io.aihandler.router.provider.TranslationContext;
import io.aihandler.router.routing.BackendAdmission.Permit;
import io.aihandler.router.runtime.BackendRuntime;
import java.util.List;

/**
 * What one kind of call (chat, embeddings) does at the steps of the route loop where kinds differ:
 * which backends can serve it, what an attempt is charged, how a request is translated and how one
 * attempt runs. Ordering, the data policy, admission, retries, fallbacks, timeouts and the record
 * are the loop's, the same for every kind.
 */
interface Operation {

  /** Why a backend can never serve this kind of call (a capability it lacks), or null. */
  String notServed(BackendRuntime b);

  /** The error when no target of the route can serve this kind of call; nothing was sent. */
  ApiException noneServes(RoutedCall call, List<String> reasons);

  /**
   * Narrows the ordered targets the data policy allows to those that can take this request, first
   * pick first; each one left out is added to {@code skipped} as {@code name: why}.
   */
  List<BackendRuntime> usable(RoutedCall call, List<BackendRuntime> ordered, List<String> skipped);

  /** The error when targets serve this kind of call but none can take this request. */
  ApiException noneUsable(RoutedCall call, List<String> skipped);

  /** Tokens an attempt is charged before the provider has counted. */
  long charge(BackendRuntime b, ObjectNode request);

  /**
   * The bytes that go to the backend.
   *
   * @throws OutgoingRequest.Untranslatable when the request cannot be expressed for it
   */
  OutgoingRequest prepare(BackendRuntime b, ObjectNode request, TranslationContext ctx);

  /** One attempt at the backend. */
  AttemptResult attempt(
      BackendRuntime b, OutgoingRequest out, TranslationContext ctx, long deadline, Permit permit);
}
