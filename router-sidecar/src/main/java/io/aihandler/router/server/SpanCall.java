package io.aihandler.router.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.aihandler.router.routing.RoutedCall;
import io.aihandler.router.tracing.ContentCapture;
import io.aihandler.router.tracing.RequestSpan;

/** What a resolved request's span records of it. */
final class SpanCall {

  private SpanCall() {}

  /**
   * The span's view of a resolved call: names from the config, the request's sampling parameters,
   * and its messages only when the span captures content.
   *
   * @param model the model (or task) the client named
   */
  static RequestSpan.Call of(String operation, String model, RoutedCall call, RequestSpan span) {
    JsonNode request = call.request();
    JsonNode maxTokens =
        request.path("max_completion_tokens").isIntegralNumber()
            ? request.path("max_completion_tokens")
            : request.path("max_tokens");
    JsonNode temperature = request.path("temperature");
    return new RequestSpan.Call(
        operation,
        call.requestedModel() != null ? call.requestedModel() : model,
        call.route().name(),
        call.taskName() == null ? "none" : call.taskName(),
        call.decision().label(),
        maxTokens.isIntegralNumber() ? maxTokens.asLong() : null,
        temperature.isNumber() ? temperature.asDouble() : null,
        span.capturesContent() && request.path("messages").isArray()
            ? ContentCapture.inputMessages(request.path("messages"))
            : null);
  }
}
