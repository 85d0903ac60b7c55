package io.aihandler.router.tracing;

import io.aihandler.router.config.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;

/**
 * Traces with the OpenTelemetry SDK: parent-based ratio sampling, spans exported over OTLP/HTTP
 * (protobuf, the JDK's HTTP client) through a {@link BoundedSpanExport}. Only this class builds the
 * SDK, and only when tracing is on.
 */
public final class OtelTracing implements RequestTracing {

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  /** Longest a connection to the collector may take to open, within the export timeout. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private static final TextMapGetter<Function<String, String>> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
          return List.of();
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
          return carrier == null ? null : carrier.apply(key);
        }
      };

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final TextMapPropagator propagator = W3CTraceContextPropagator.getInstance();
  private final boolean captureContent;
  private final Duration exportTimeout;

  private OtelTracing(SdkTracerProvider provider, boolean captureContent, Duration exportTimeout) {
    this.provider = provider;
    this.tracer = provider.get("io.aihandler.router");
    this.captureContent = captureContent;
    this.exportTimeout = exportTimeout;
  }

  /**
   * Starts exporting to {@code settings.otlpEndpoint()}.
   *
   * @param counts told how many spans were {@code exported}, {@code dropped} or {@code failed}
   */
  public static OtelTracing start(Tracing settings, ObjLongConsumer<String> counts) {
    Duration timeout = settings.exportTimeoutDuration();
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(settings.otlpEndpoint())
            .setTimeout(timeout)
            .setConnectTimeout(timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT)
            // A failed batch is counted and dropped: retrying would hold spans beyond the queue's
            // bound, and the next batch is already waiting.
            .setRetryPolicy(null)
            .build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(Resource.create(Attributes.of(SERVICE_NAME, settings.serviceName()))))
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplingRatio())))
            .setSpanLimits(
                SpanLimits.builder()
                    .setMaxNumberOfAttributes(64)
                    .setMaxNumberOfEvents(16)
                    .setMaxAttributeValueLength(ContentCapture.MAX_ATTRIBUTE_CHARS)
                    .build())
            .addSpanProcessor(
                new BoundedSpanExport(exporter, settings.maxQueueSize(), timeout, counts))
            .build();
    return new OtelTracing(provider, settings.captureContent(), timeout);
  }

  @Override
  public RequestSpan start(String endpoint, Function<String, String> header) {
    Context parent = propagator.extract(Context.root(), header, HEADERS);
    String operation = endpoint.equals("embeddings") ? "embeddings" : "chat";
    Span span =
        tracer
            .spanBuilder(operation)
            .setSpanKind(SpanKind.SERVER)
            .setParent(parent)
            .setAttribute(SpanAttributes.OPERATION, operation)
            .setAttribute(SpanAttributes.ENDPOINT, endpoint)
            .startSpan();
    return new OtelRequestSpan(tracer, propagator, span, operation, captureContent);
  }

  /** Exports what is queued, within the export timeout, and stops exporting. */
  @Override
  public void close() {
    // Bounded by one export timeout: a hung collector must not hold up the process stopping.
    provider.shutdown().join(exportTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
