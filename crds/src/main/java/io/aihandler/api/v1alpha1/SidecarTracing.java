package io.aihandler.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** OpenTelemetry traces of the Workflow's sidecars, exported over OTLP/HTTP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!self.otlpEndpoint.matches('^https?://[^/?#]*@')",
    message = "otlpEndpoint must not hold user info: credentials do not belong in a URL")
@ValidationRule(
    value = "!has(self.exportTimeout) || duration(self.exportTimeout) <= duration('60s')",
    message = "exportTimeout must be at most 60s")
public record SidecarTracing(
    @JsonPropertyDescription(
            "OTLP/HTTP traces endpoint (protobuf), e.g."
                + " http://otel-collector.observability:4318/v1/traces. Setting it turns tracing on.")
        @Required
        @Size(max = 2048)
        @Pattern(ApiPatterns.HTTP_URL)
        String otlpEndpoint,
    @JsonPropertyDescription(
            "Share of new traces recorded, 0 to 1. Default 1. A request whose traceparent carries"
                + " the app's sampling decision follows it (parent-based sampling).")
        @Min(0)
        @Max(1)
        Double samplingRatio,
    @JsonPropertyDescription(
            "Record prompt and completion text on spans (gen_ai.input.messages,"
                + " gen_ai.output.messages), bounded to 16 KiB each. Off by default: spans then hold"
                + " routing facts only.")
        Boolean captureContent,
    @JsonPropertyDescription("The traces' service.name. Default: the Workflow's name.")
        @Size(min = 1, max = 253)
        String serviceName,
    @JsonPropertyDescription(
            "Longest one export call may take, e.g. 10s (the default); at most 60s. Export never"
                + " delays a request.")
        @Pattern(ApiPatterns.DURATION)
        String exportTimeout,
    @JsonPropertyDescription(
            "Most finished spans waiting for export. Default 2048; more are dropped and counted"
                + " in aihandler_trace_spans_total{result=\"dropped\"}.")
        @Min(1)
        @Max(65536)
        Integer maxQueueSize) {}
