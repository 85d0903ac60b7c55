/**
 * OpenTelemetry traces of the sidecar: a server span per request and a client span per upstream
 * attempt, with the GenAI semantic conventions' attributes and AI Handler's own. The interfaces
 * here have do-nothing forms, so with tracing off no OpenTelemetry class is ever loaded; the {@code
 * Otel*} classes are the SDK-backed forms, built only when {@code sidecar.tracing.otlpEndpoint} is
 * set.
 */
package io.aihandler.router.tracing;
