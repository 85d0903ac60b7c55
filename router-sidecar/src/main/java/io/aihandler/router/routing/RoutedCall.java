package io.aihandler.router.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aihandler.router.config.Route;
import io.aihandler.router.policy.DataPolicy;
import io.aihandler.router.validation.OutputValidator;
import java.time.Duration;

/**
 * One request, resolved and ready to route.
 *
 * @param endpoint {@code chat} or {@code task}, for metrics
 * @param requestedModel the name the client used; responses carry it as {@code model}
 * @param taskName the task's name, or null
 * @param route the route to serve it (a synthetic one-target route when a backend was named)
 * @param request the OpenAI chat request to send, model aside
 * @param validator the output schema, or null
 * @param schemaName name of the schema for providers that want one
 * @param maxRepairAttempts re-asks per backend for invalid output
 * @param decision the request's data classes and the localities they allow
 * @param timeout timeout of the whole call
 * @param clientWantsUsage whether a streaming client asked for the usage chunk
 */
public record RoutedCall(
    String endpoint,
    String requestedModel,
    String taskName,
    Route route,
    ObjectNode request,
    OutputValidator validator,
    String schemaName,
    int maxRepairAttempts,
    DataPolicy.Decision decision,
    Duration timeout,
    boolean clientWantsUsage) {

  /** Whether the client asked for a stream. */
  public boolean streaming() {
    return request.path("stream").asBoolean(false);
  }

  /** This call for another endpoint label. */
  public RoutedCall withEndpoint(String endpoint) {
    return new RoutedCall(
        endpoint,
        requestedModel,
        taskName,
        route,
        request,
        validator,
        schemaName,
        maxRepairAttempts,
        decision,
        timeout,
        clientWantsUsage);
  }

  /** This call with another request body. */
  public RoutedCall withRequest(ObjectNode request) {
    return new RoutedCall(
        endpoint,
        requestedModel,
        taskName,
        route,
        request,
        validator,
        schemaName,
        maxRepairAttempts,
        decision,
        timeout,
        clientWantsUsage);
  }

  /** This call with or without the usage chunk for the client. */
  public RoutedCall withClientWantsUsage(boolean clientWantsUsage) {
    return new RoutedCall(
        endpoint,
        requestedModel,
        taskName,
        route,
        request,
        validator,
        schemaName,
        maxRepairAttempts,
        decision,
        timeout,
        clientWantsUsage);
  }
}
