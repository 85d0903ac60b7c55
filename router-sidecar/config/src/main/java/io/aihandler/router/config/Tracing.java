package io.aihandler.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where and how the sidecar exports OpenTelemetry traces (OTLP over HTTP, protobuf). Tracing is off
 * unless {@code otlpEndpoint} is set; off, the OpenTelemetry SDK is not even loaded.
 *
 * @param otlpEndpoint the OTLP/HTTP traces URL, e.g. {@code
 *     http://otel-collector.observability:4318/v1/traces}; {@code http} or {@code https}. Null (the
 *     default) turns tracing off
 * @param samplingRatio share of new traces recorded, 0 to 1; default 1. A request whose {@code
 *     traceparent} carries the app's decision follows it (parent-based sampling)
 * @param captureContent record prompt and completion text on the spans (bounded); default false
 * @param serviceName the traces' {@code service.name}; default the Workflow's name (the operator
 *     sets it), {@code aihandler-router} standalone
 * @param exportTimeout longest one export call may take; default 10s, at most 60s
 * @param maxQueueSize most finished spans waiting for export; default 2048, more are dropped and
 *     counted, so a slow collector never slows or grows the sidecar
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Tracing(
    String otlpEndpoint,
    Double samplingRatio,
    Boolean captureContent,
    String serviceName,
    String exportTimeout,
    Integer maxQueueSize) {

  /** The settings of a document without {@code sidecar.tracing}: tracing off. */
  public static final Tracing OFF = new Tracing(null, null, null, null, null, null);

  public Tracing {
    samplingRatio = samplingRatio == null ? 1.0 : samplingRatio;
    captureContent = captureContent != null && captureContent;
    serviceName = serviceName == null || serviceName.isBlank() ? "aihandler-router" : serviceName;
    exportTimeout = exportTimeout == null ? "10s" : exportTimeout;
    maxQueueSize = maxQueueSize == null ? 2048 : maxQueueSize;
  }

  /** Whether traces are recorded and exported at all. */
  public boolean enabled() {
    return otlpEndpoint != null && !otlpEndpoint.isBlank();
  }

  /** {@link #exportTimeout()} as a duration. */
  public java.time.Duration exportTimeoutDuration() {
    return Durations.parse(exportTimeout);
  }
}
