package io.aihandler.router.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;

/** A request's server span in the OpenTelemetry SDK. */
final class OtelRequestSpan implements RequestSpan {

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final Span span;
  private final Context context;
  private final boolean captureContent;
  private String operation;
  private Long maxTokens;
  private Double temperature;
  private boolean ended;

  OtelRequestSpan(
      Tracer tracer,
      TextMapPropagator propagator,
      Span span,
      String operation,
      boolean captureContent) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.span = span;
    this.context = Context.root().with(span);
    this.operation = operation;
    this.captureContent = captureContent;
  }

  @Override
  public String traceId() {
    return span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
  }

  @Override
  public String spanId() {
    return span.getSpanContext().isValid() ? span.getSpanContext().getSpanId() : null;
  }

  @Override
  public boolean capturesContent() {
    return captureContent && span.isRecording();
  }

  @Override
  public void requestId(String requestId) {
    span.setAttribute(SpanAttributes.REQUEST_ID, requestId);
  }

  @Override
  public void resolved(Call call) {
    operation = call.operation();
    maxTokens = call.maxTokens();
    temperature = call.temperature();
    span.updateName(call.operation() + " " + call.requestModel());
    span.setAttribute(SpanAttributes.OPERATION, call.operation());
    span.setAttribute(SpanAttributes.REQUEST_MODEL, call.requestModel());
    span.setAttribute(SpanAttributes.ROUTE, call.route());
    span.setAttribute(SpanAttributes.TASK, call.task());
    span.setAttribute(SpanAttributes.DATA_CLASS, call.dataClass());
    if (maxTokens != null) {
      span.setAttribute(SpanAttributes.REQUEST_MAX_TOKENS, maxTokens);
    }
    if (temperature != null) {
      span.setAttribute(SpanAttributes.REQUEST_TEMPERATURE, temperature);
    }
    if (captureContent && call.inputMessages() != null) {
      span.setAttribute(SpanAttributes.INPUT_MESSAGES, call.inputMessages());
    }
  }

  @Override
  public AttemptSpan attempt(Attempt a) {
    var builder =
        tracer
            .spanBuilder(operation + " " + a.model())
            .setSpanKind(SpanKind.CLIENT)
            .setParent(context)
            .setAttribute(SpanAttributes.OPERATION, operation)
            .setAttribute(SpanAttributes.PROVIDER, a.providerName())
            .setAttribute(SpanAttributes.REQUEST_MODEL, a.model())
            .setAttribute(SpanAttributes.SERVER_ADDRESS, a.serverAddress())
            .setAttribute(SpanAttributes.SERVER_PORT, (long) a.serverPort())
            .setAttribute(SpanAttributes.BACKEND, a.backend())
            .setAttribute(SpanAttributes.ATTEMPT, (long) a.number())
            .setAttribute(SpanAttributes.REPAIR, a.repair());
    if (maxTokens != null) {
      builder.setAttribute(SpanAttributes.REQUEST_MAX_TOKENS, maxTokens);
    }
    if (temperature != null) {
      builder.setAttribute(SpanAttributes.REQUEST_TEMPERATURE, temperature);
    }
    return new OtelAttemptSpan(builder.startSpan(), propagator, captureContent);
  }

  @Override
  public void end(Result r) {
    if (ended) {
      return;
    }
    ended = true;
    span.setAttribute(SpanAttributes.HTTP_STATUS, (long) r.status());
    span.setAttribute(SpanAttributes.OUTCOME, r.outcome());
    span.setAttribute(SpanAttributes.BACKEND, r.backend());
    span.setAttribute(SpanAttributes.ATTEMPTS, (long) r.attempts());
    span.setAttribute(SpanAttributes.INPUT_TOKENS, r.inputTokens());
    span.setAttribute(SpanAttributes.OUTPUT_TOKENS, r.outputTokens());
    span.setAttribute(SpanAttributes.VALIDATION, r.validation());
    span.setAttribute(SpanAttributes.REPAIR_ATTEMPTS, (long) r.repairAttempts());
    if (r.responseModel() != null) {
      span.setAttribute(SpanAttributes.RESPONSE_MODEL, r.responseModel());
    }
    if (r.fallbackReason() != null) {
      span.setAttribute(SpanAttributes.FALLBACK_REASON, r.fallbackReason());
    }
    if (r.errorType() != null) {
      span.setAttribute(SpanAttributes.ERROR_TYPE, r.errorType());
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }
}
