package io.aihandler.router.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.Map;

/** An upstream attempt's client span in the OpenTelemetry SDK. */
final class OtelAttemptSpan implements AttemptSpan {

  private final Span span;
  private final TextMapPropagator propagator;
  private final boolean captureContent;
  private boolean ended;

  OtelAttemptSpan(Span span, TextMapPropagator propagator, boolean captureContent) {
    this.span = span;
    this.propagator = propagator;
    this.captureContent = captureContent;
  }

  @Override
  public Map<String, String> propagation() {
    Map<String, String> headers = new HashMap<>(4);
    propagator.inject(Context.root().with(span), headers, Map::put);
    return headers;
  }

  @Override
  public boolean capturesContent() {
    return captureContent && span.isRecording();
  }

  @Override
  public void end(Result r) {
    if (ended) {
      return;
    }
    ended = true;
    span.setAttribute(SpanAttributes.OUTCOME, r.outcome());
    span.setAttribute(SpanAttributes.VALIDATION, r.validation());
    if (r.responseModel() != null) {
      span.setAttribute(SpanAttributes.RESPONSE_MODEL, r.responseModel());
    }
    if (!r.finishReasons().isEmpty()) {
      span.setAttribute(SpanAttributes.FINISH_REASONS, r.finishReasons());
    }
    span.setAttribute(SpanAttributes.INPUT_TOKENS, r.inputTokens());
    span.setAttribute(SpanAttributes.OUTPUT_TOKENS, r.outputTokens());
    if (r.fallbackReason() != null) {
      span.setAttribute(SpanAttributes.FALLBACK_REASON, r.fallbackReason());
    }
    if (captureContent && r.outputMessages() != null) {
      span.setAttribute(SpanAttributes.OUTPUT_MESSAGES, r.outputMessages());
    }
    if (r.errorType() != null) {
      span.setAttribute(SpanAttributes.ERROR_TYPE, r.errorType());
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }
}
